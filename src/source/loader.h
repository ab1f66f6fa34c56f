// Turns a directory (or a list of embedded files) into the ordered list of migrations, with every
// naming problem reported at once.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/fs.h"
#include "source/migration.h"

namespace strata::source {

struct RawFile {
  std::string path;  // shown in messages
  std::string name;  // file name, parsed for version and role
  std::string contents;
};

// Builds migrations from files, sorted by version. Files whose names are not migration candidates
// (see ParseFileName) are skipped. Errors (kInvalidArgument), all problems in one message, one per
// line: names that do not parse, duplicate versions (naming both files), a down without an up,
// malformed sections or directives (as path:line:col).
Result<std::vector<Migration>> BuildMigrations(std::vector<RawFile> files);

// Reads every candidate file of `dir` (not recursive) and calls BuildMigrations.
Result<std::vector<Migration>> LoadDirectory(base::FileSystem& fs, const std::string& dir);

}  // namespace strata::source
