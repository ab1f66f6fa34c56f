// Checkpoint migrations (docs/migrations.md, "Checkpoints"): one file that stands for every
// migration up to a version N, written by `strata checkpoint` and applied only to a fresh database.
// Its header starts with `-- strata:checkpoint` and lists, one `-- strata:covers VERSION NAME
// CHECKSUM` line each, the migrations it stands for, so that the history it records is the one the
// files would have recorded. Pure functions, no I/O.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "source/filename.h"
#include "source/migration.h"
#include "strata/status.h"

namespace strata::source {

struct Covered {
  std::uint64_t version = 0;
  std::string name;
  std::string checksum;  // "sha256:<hex>", as Migration::checksum
};

struct Checkpoint {
  Migration migration;          // version N (the newest covered), the file and its SQL
  std::vector<Covered> covers;  // ascending; the last has version N
  // Set when a file it stands for is there under another name or with another checksum (edited
  // since the checkpoint was written): why, naming the file. A stale checkpoint is never applied.
  std::string stale;
};

// The `-- strata:covers` lines of `text` in [begin, end) (a checkpoint's part), in file order.
// kInvalidArgument with a byte offset (Status::sql_offset) into `text` for a malformed line, a
// version that does not ascend, or none at all.
Result<std::vector<Covered>> ReadCovers(std::string_view text, std::size_t begin, std::size_t end);

// True when the file `name` with `contents` is a checkpoint (its header says -- strata:checkpoint).
bool IsCheckpoint(std::string_view name, std::string_view contents);
// The migrations a checkpoint file stands for; empty when it is not a checkpoint or does not parse.
std::vector<Covered> CoversOf(std::string_view name, std::string_view contents);

// The header of a checkpoint file: the directive, a comment for the reader, one covers line per
// migration. Ends with a blank line.
std::string CheckpointHeader(const std::vector<Covered>& covers);

// The description of every checkpoint, so the name of its migration and of its history rows' row.
inline constexpr std::string_view kCheckpointName = "checkpoint";

// The file name of a checkpoint at version `version_text` (as the directory writes its versions)
// in `convention`: the convention's form with the description "checkpoint" (v005_checkpoint.sql,
// 0005_checkpoint.up.sql, 20250130100000_checkpoint.sql, V5__checkpoint.sql).
std::string CheckpointFileName(Convention convention, std::string_view version_text);

}  // namespace strata::source
