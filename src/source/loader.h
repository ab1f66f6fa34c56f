// Turns a directory (or a list of embedded files) into the ordered list of migrations, with every
// naming problem reported at once.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/fs.h"
#include "source/checkpoint.h"
#include "source/migration.h"

namespace strata::source {

struct RawFile {
  std::string path;  // shown in messages
  std::string name;  // file name, parsed for version and role
  std::string contents;
  // Set when the file could not be read: the whole message line (naming the path); `contents`
  // is then empty.
  std::string problem;
};

// Builds migrations from files, sorted by version. Files whose names are not migration candidates
// (see ParseFileName) are skipped. Errors (kInvalidArgument), all problems in one message, one per
// line: names that do not parse, files that could not be read (RawFile::problem), duplicate
// versions (naming both files), a down without an up, NUL bytes, malformed sections or directives
// (as path:line:col).
// A file whose header says `-- strata:checkpoint` is not one of the migrations: it goes to
// `*checkpoints` (ascending versions; dropped when null) and may share its version with the
// ordinary file of that version. Also errors: two checkpoints of one version, a checkpoint with a
// down part or malformed covers lines. A checkpoint that a file contradicts is loaded with
// Checkpoint::stale set, not refused: `strata checkpoint` must be able to replace it.
Result<std::vector<Migration>> BuildMigrations(std::vector<RawFile> files,
                                               std::vector<Checkpoint>* checkpoints = nullptr);

// Every candidate file of `dir` (not recursive: sub-directories, and links to directories, are
// skipped) and the text of its strata.sum, if it has one. A candidate that is not a readable
// regular file (a broken or looping symbolic link, a FIFO) or that the file system refuses to
// read (kInvalidArgument, kNotFound) carries a RawFile::problem; any other read failure, or a
// strata.sum that cannot be read, is returned as it is.
struct DirectoryFiles {
  std::vector<RawFile> files;
  std::optional<std::string> sum;
};
Result<DirectoryFiles> ReadDirectory(base::FileSystem& fs, const std::string& dir);

// Reads `dir` (ReadDirectory), checks its strata.sum if it has one (VerifySum: kIntegrity naming
// what changed) and calls BuildMigrations. A candidate that is not a readable regular file (a
// broken or looping symbolic link, a FIFO) or that the file system refuses to read
// (kInvalidArgument, kNotFound) is a problem reported with the others; any other read failure is
// returned as it is.
Result<std::vector<Migration>> LoadDirectory(base::FileSystem& fs, const std::string& dir,
                                             std::vector<Checkpoint>* checkpoints = nullptr);

}  // namespace strata::source
