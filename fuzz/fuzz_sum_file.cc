// Fuzzes the strata.sum parser (source::ParseSum) and the conflict splitter, and checks that a sum
// strata writes always reads back as it was written.
#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_common.h"
#include "source/filename.h"
#include "source/sum_file.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace strata::source;
  std::string_view text(reinterpret_cast<const char*>(data), size);

  auto parsed = ParseSum("m/strata.sum", text);
  if (!parsed.ok()) {
    FUZZ_CHECK(parsed.status().code() == strata::ErrorCode::kIntegrity);
    FUZZ_CHECK(!parsed.status().message().empty());
  } else {
    // What parses is written back in the same form, and reads back the same.
    std::set<std::string> names;
    for (const SumLine& l : parsed->lines) {
      FUZZ_CHECK(!l.name.empty() && l.name.find('\n') == std::string::npos);
      FUZZ_CHECK(names.insert(l.name).second);
    }
    std::string again = FormatSum(*parsed);
    auto reparsed = ParseSum("m/strata.sum", again);
    FUZZ_CHECK(reparsed.ok());
    FUZZ_CHECK(FormatSum(*reparsed) == again);
  }

  auto sides = SplitConflict(text);
  if (sides) {
    FUZZ_CHECK(!ParseSum("m/strata.sum", text).ok());
  }

  // A sum strata computes, over the migration names the text lists, is always valid and matches
  // the files it was computed from.
  std::vector<std::string> listed = ListedNames(text);
  std::set<std::string> unique;
  std::vector<SumInput> files;
  for (const std::string& n : listed) {
    auto name = ParseFileName(n);
    if (!name.ok() || !name->has_value() || !unique.insert(n).second) continue;
    files.push_back({n, std::string_view(text).substr(0, n.size() % (size + 1))});
  }
  SumFile sum = ComputeSum(files);
  auto read = ParseSum("m/strata.sum", FormatSum(sum));
  FUZZ_CHECK(read.ok());
  FUZZ_CHECK(CompareSum(*read, files).empty());
  return 0;
}
