// strata new: the next migration file(s), in the directory's own naming convention.
#include <fmt/format.h>

#include "../cli.h"
#include "../json_output.h"

namespace strata::cli {

int RunNew(const Invocation& inv) {
  FileConvention c = FileConvention::kAuto;
  if (inv.new_format == "seed") c = FileConvention::kSeed;
  if (inv.new_format == "paired") c = FileConvention::kPaired;
  if (inv.new_format == "timestamp") c = FileConvention::kTimestamp;
  if (inv.new_format == "flyway") c = FileConvention::kFlyway;
  auto paths = NewMigration(inv.dir, inv.new_name, c);
  if (!paths.ok()) return ReportError(inv, paths.status());
  if (inv.json) {
    fmt::print("{}\n", JsonStrings("created", *paths));
  } else {
    for (const std::string& p : *paths) fmt::print("created {}\n", p);
  }
  return kExitOk;
}

}  // namespace strata::cli
