// strata new: the next migration file(s) in the directory's own naming convention.
#include <fmt/format.h>

#include <cctype>
#include <filesystem>

#include "base/clock.h"
#include "base/fs.h"
#include "base/text.h"
#include "source/loader.h"
#include "strata/migrator.h"
#include "strata/team.h"

namespace strata {

namespace {

Result<std::string> CleanName(std::string_view name) {
  std::string out;
  for (char c : name) {
    if (c == ' ') c = '_';
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-')) {
      return Status(ErrorCode::kInvalidArgument,
                    fmt::format("invalid migration name '{}': use letters, digits, spaces, '-' and '_'", name));
    }
    out += c;
  }
  while (!out.empty() && out.front() == '_') out.erase(out.begin());
  while (!out.empty() && out.back() == '_') out.pop_back();
  if (out.empty()) return Status(ErrorCode::kInvalidArgument, "the migration needs a name, e.g. `strata new add_users`");
  return out;
}

std::string Padded(std::uint64_t v, std::size_t width) { return fmt::format("{:0{}}", v, width); }

}  // namespace

Result<std::vector<std::string>> NewMigration(const std::string& dir, std::string_view raw_name,
                                              FileConvention convention) {
  STRATA_ASSIGN_OR_RETURN(std::string name, CleanName(raw_name));
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Status(ErrorCode::kUnavailable, fmt::format("cannot create directory '{}': {}", dir, ec.message()));
  // A team that keeps a strata.sum gets it updated; LoadDirectory refuses a stale one first.
  const bool keeps_sum = HasSumFile(dir);
  STRATA_ASSIGN_OR_RETURN(auto migrations, source::LoadDirectory(base::RealFileSystem(), dir));

  std::uint64_t max = migrations.empty() ? 0 : migrations.back().version;
  std::size_t width = migrations.empty() ? 0 : migrations.back().version_text.size();
  bool sequential_sections = false;
  if (convention == FileConvention::kAuto) {
    convention = FileConvention::kPaired;
    if (!migrations.empty()) {
      switch (migrations.back().convention) {
        case source::Convention::kSeed: convention = FileConvention::kSeed; break;
        case source::Convention::kPaired: convention = FileConvention::kPaired; break;
        case source::Convention::kFlyway: convention = FileConvention::kFlyway; break;
        case source::Convention::kSectioned:
          convention = FileConvention::kTimestamp;
          sequential_sections = width != 14;
          break;
      }
    }
  }

  std::vector<std::pair<std::string, std::string>> files;  // name, contents
  switch (convention) {
    case FileConvention::kSeed:
      files.push_back({fmt::format("v{}_{}.sql", Padded(max + 1, std::max<std::size_t>(width, 3)), name),
                       fmt::format("-- {}\n", name)});
      break;
    case FileConvention::kAuto:
    case FileConvention::kPaired: {
      std::string v = Padded(max + 1, std::max<std::size_t>(width, 4));
      files.push_back({fmt::format("{}_{}.up.sql", v, name), fmt::format("-- {}: up\n", name)});
      files.push_back({fmt::format("{}_{}.down.sql", v, name), fmt::format("-- {}: down\n", name)});
      break;
    }
    case FileConvention::kTimestamp: {
      std::string v;
      if (sequential_sections) {
        v = Padded(max + 1, width);
      } else {
        v = base::UtcNowCompact();
        // Two migrations in one second (or a clock behind the newest file): take the next number.
        if (base::ParseUint64(v).value_or(0) <= max) v = std::to_string(max + 1);
      }
      files.push_back({fmt::format("{}_{}.sql", v, name), "-- migrate:up\n\n\n-- migrate:down\n\n"});
      break;
    }
    case FileConvention::kFlyway:
      files.push_back({fmt::format("V{}__{}.sql", max + 1, name), fmt::format("-- {}\n", name)});
      files.push_back({fmt::format("U{}__{}.sql", max + 1, name), fmt::format("-- undo {}\n", name)});
      break;
  }
  std::vector<std::string> paths;
  for (const auto& [file, contents] : files) {
    std::string path = base::JoinPath(dir, file);
    STRATA_RETURN_IF_ERROR(base::RealFileSystem().CreateFile(path, contents));
    paths.push_back(path);
  }
  if (keeps_sum) STRATA_RETURN_IF_ERROR(WriteSumFile(dir).status());
  return paths;
}

}  // namespace strata
