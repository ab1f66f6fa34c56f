// Working in a team (docs/migrations.md, "Working in a team"): the strata.sum integrity file,
// renumbering a branch's migrations after a merge, and checking a branch against its base.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "strata/migrator.h"
#include "strata/status.h"

namespace strata {

// True when `dir` holds a strata.sum. Every Source::Directory read checks the files against it
// first and fails with kIntegrity naming each file added, removed or edited since it was written.
bool HasSumFile(const std::string& dir);

// Writes `dir`/strata.sum for the migration files now in `dir`, replacing the old one (conflict
// markers and all), and returns its path. The files must load: otherwise kInvalidArgument lists
// every problem (a duplicate version after a merge: RebaseMigrations first) and nothing is written.
Result<std::string> WriteSumFile(const std::string& dir);

struct RebaseOptions {
  // File names (or paths; only the name counts) of the migrations to renumber. Empty: this
  // branch's migrations, found through strata.sum (see RebaseMigrations).
  std::vector<std::string> files;
  // (version, name) of every migration the database records as applied; such a migration is
  // never renumbered.
  std::vector<std::pair<std::uint64_t, std::string>> applied;
};

struct RenamedFile {
  std::string from, to;  // paths
};

// After a merge, gives this branch's migrations new versions after the newest one that came in,
// in each file's own convention, renames the files (a plain rename: the caller commits it) and
// rewrites strata.sum. This branch's migrations: options.files; else, when strata.sum has conflict
// markers, those whose files the incoming (lower) side does not list; else those strata.sum does
// not list. Nothing is renumbered when none of them collides with another version or lies at or
// below the newest incoming one (strata.sum is still rewritten). Returns the renames, in order.
// kInvalidArgument: no strata.sum and no files named, or the directory would still not load;
// kNotFound: a named file does not exist; kFailedPrecondition: a migration to renumber is
// recorded as applied. Nothing is renamed when it fails.
Result<std::vector<RenamedFile>> RebaseMigrations(const std::string& dir, const RebaseOptions& options = {});

// One migration file as another revision (e.g. a git commit) has it.
struct BaseFile {
  std::string name;  // file name, no directory
  std::string contents;
};

// Compares `dir` (checked against its strata.sum first, if it has one) with the migration files
// of a base revision called `base_label` in messages: every migration added since has a version
// above every migration of the base; no migration of the base was edited (line endings and
// byte-order marks aside) or deleted. Returns one message per offending file, naming it (empty:
// all is well). Files whose names are not migrations are ignored on both sides.
Result<std::vector<std::string>> CompareWithBase(const std::string& dir, const std::vector<BaseFile>& base,
                                                 const std::string& base_label);

struct CheckpointOptions {
  // The newest version the checkpoint stands for; default: the newest migration of the directory.
  std::optional<std::uint64_t> to;
  // Where the migrations are replayed (and the checkpoint loaded again, to prove it exact): a
  // `sqlite:` URL for SQLite, a PostgreSQL server for PostgreSQL (see ScratchOptions).
  ScratchOptions scratch;
};

struct CheckpointResult {
  std::string path;             // the checkpoint file written
  std::uint64_t version = 0;    // the newest version it stands for
  std::size_t migrations = 0;   // how many migrations it stands for
  std::size_t tables = 0;       // tables it creates
  std::size_t rows = 0;         // rows it inserts
  bool replaced = false;        // an older checkpoint file of the same name was replaced
  bool sum_written = false;     // strata.sum was rewritten to include it
};

// `strata checkpoint` (docs/migrations.md, "Checkpoints"): replays the migrations of `dir` up to
// options.to on a scratch database and writes one checkpoint migration beside them: the schema
// (Dump's statements) and every row those migrations left, tables in foreign-key order, the
// counters (sequences, AUTOINCREMENT) as they were. Before writing, the text is loaded into a second
// scratch database, which must give the same schema, the same rows in every table and the same
// counters; otherwise nothing is written (kFailedPrecondition naming what differs). The file is
// named CheckpointFileName (the directory's convention, version N, "checkpoint"); strata.sum, if
// the directory has one, is rewritten. kInvalidArgument: no migration has version `to`, or a file
// of that name that is not a checkpoint exists; kFailedPrecondition: a virtual table holds rows
// (its contents cannot be copied as rows).
Result<CheckpointResult> WriteCheckpoint(const std::string& dir, const CheckpointOptions& options);

}  // namespace strata
