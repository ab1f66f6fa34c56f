// Fuzzes the fleet targets file (strata::ParseTargets): never a crash; what parses is one trimmed,
// blank-free, unique URL per kept line, each found on the line `where` names, and its label shows no
// password; an error always says where.
#include <cstddef>
#include <cstdint>
#include <vector>
#include <set>
#include <string>
#include <string_view>

#include "base/url.h"
#include "fuzz_common.h"
#include "strata/fleet.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto targets = strata::ParseTargets(text, "targets.txt");
  if (!targets.ok()) {
    FUZZ_CHECK(targets.status().code() == strata::ErrorCode::kInvalidArgument);
    FUZZ_CHECK(targets.status().message().find("targets.txt") != std::string::npos ||
               targets.status().location().has_value());
    return 0;
  }
  FUZZ_CHECK(!targets->empty());
  std::set<std::string> urls;
  std::size_t lines = 1;
  for (char c : text) lines += c == '\n';
  for (const strata::FleetTarget& t : *targets) {
    FUZZ_CHECK(!t.url.empty());
    FUZZ_CHECK(t.url.find_first_of(" \t\r\n") == std::string::npos);
    FUZZ_CHECK(t.url.find('\0') == std::string::npos);
    FUZZ_CHECK(urls.insert(t.url).second);
    FUZZ_CHECK(t.schema.empty());
    FUZZ_CHECK(text.find(t.url) != std::string_view::npos);
    FUZZ_CHECK(t.where.rfind("targets.txt:", 0) == 0);
    std::size_t line = std::stoul(t.where.substr(12));
    FUZZ_CHECK(line >= 1 && line <= lines);
    auto parsed = strata::base::ParseDatabaseUrl(t.url);
    FUZZ_CHECK(parsed.ok());
    FUZZ_CHECK(t.label == parsed->Redacted());
    for (const std::string& secret : parsed->Secrets()) {
      if (secret.find('*') != std::string::npos) continue;  // the mask itself, as in fuzz_url
      FUZZ_CHECK(t.label.find(secret) == std::string::npos);
    }
  }
  return 0;
}
