// Fuzzes strata::source::ParseFileName and checks what a parsed name promises.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_common.h"
#include "source/filename.h"

namespace {

bool IsDigits(std::string_view s) {
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace strata::source;
  std::string_view file(reinterpret_cast<const char*>(data), size);
  auto parsed = ParseFileName(file);
  if (!parsed.ok()) {
    FUZZ_CHECK(parsed.status().code() == strata::ErrorCode::kInvalidArgument);
    FUZZ_CHECK(!parsed.status().message().empty());
    return 0;
  }
  if (!parsed->has_value()) return 0;  // not a migration candidate
  const FileName& f = **parsed;

  // Only names ending in ".sql" (any case), not hidden, are candidates.
  FUZZ_CHECK(size >= 4 && file[0] != '.');
  // The version is the digits as written.
  FUZZ_CHECK(IsDigits(f.version_text));
  FUZZ_CHECK(!f.version_text.empty() || f.convention == Convention::kFlyway);
  std::uint64_t v = 0;
  for (char c : f.version_text) v = v * 10 + static_cast<std::uint64_t>(c - '0');  // no overflow: parsed ok
  FUZZ_CHECK(v == f.version);
  FUZZ_CHECK(file.find(f.version_text) != std::string_view::npos);
  // The description is non-empty, has no control characters, and is part of the file name.
  FUZZ_CHECK(!f.name.empty());
  for (char c : f.name) FUZZ_CHECK(static_cast<unsigned char>(c) >= 0x20);
  FUZZ_CHECK(file.find(f.name) != std::string_view::npos);
  // Convention and role agree.
  switch (f.convention) {
    case Convention::kSeed:
      FUZZ_CHECK(f.role == FileRole::kUp && file[0] == 'v');
      break;
    case Convention::kPaired:
      FUZZ_CHECK(f.role == FileRole::kUp || f.role == FileRole::kDown);
      break;
    case Convention::kSectioned:
      FUZZ_CHECK(f.role == FileRole::kSectioned);
      break;
    case Convention::kFlyway:
      FUZZ_CHECK(f.role == (file[0] == 'V' ? FileRole::kUp : FileRole::kDown));
      break;
  }
  return 0;
}
