// Fuzzes strata::source::BuildMigrations on a few files derived from the input.
// Input format: NAME '\0' CONTENTS '\0' NAME '\0' CONTENTS ... (at most 8 files); the seed corpus
// follows it, so mutations keep producing plausible directories. Since NUL separates the fields,
// the two bytes C0 80 (modified UTF-8's NUL) in CONTENTS stand for a NUL byte in the file.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_common.h"
#include "source/loader.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace strata::source;
  if (size > 64 * 1024) return 0;
  std::string_view in(reinterpret_cast<const char*>(data), size);

  std::vector<std::string_view> fields;
  while (fields.size() < 16) {
    std::size_t nul = in.find('\0');
    fields.push_back(in.substr(0, nul));
    if (nul == std::string_view::npos) break;
    in.remove_prefix(nul + 1);
  }
  std::vector<RawFile> files;
  for (std::size_t i = 0; i < fields.size(); i += 2) {
    RawFile f;
    f.name = std::string(fields[i]);
    f.path = "migrations/" + f.name;
    if (i + 1 < fields.size()) {
      std::string_view c = fields[i + 1];
      for (std::size_t at; (at = c.find("\xC0\x80")) != std::string_view::npos; c.remove_prefix(at + 2)) {
        f.contents.append(c.substr(0, at)).push_back('\0');
      }
      f.contents.append(c);
    }
    files.push_back(std::move(f));
  }
  const std::size_t n_files = files.size();

  std::vector<Checkpoint> checkpoints;
  auto result = BuildMigrations(std::move(files), &checkpoints);
  if (!result.ok()) {
    FUZZ_CHECK(result.status().code() == strata::ErrorCode::kInvalidArgument);
    FUZZ_CHECK(!result.status().message().empty());
    return 0;
  }
  const std::vector<Migration>& ms = *result;
  FUZZ_CHECK(ms.size() + checkpoints.size() <= n_files);
  for (std::size_t k = 0; k < checkpoints.size(); ++k) {
    const Checkpoint& c = checkpoints[k];
    if (k > 0) FUZZ_CHECK(checkpoints[k - 1].migration.version < c.migration.version);
    FUZZ_CHECK(!c.covers.empty() && c.covers.back().version == c.migration.version);
    FUZZ_CHECK(!c.migration.down);
  }
  for (std::size_t k = 0; k < ms.size(); ++k) {
    const Migration& m = ms[k];
    if (k > 0) FUZZ_CHECK(ms[k - 1].version < m.version);  // sorted, no duplicates
    FUZZ_CHECK(!m.name.empty());
    FUZZ_CHECK(m.up.text != nullptr);
    FUZZ_CHECK(m.up.begin <= m.up.end && m.up.end <= m.up.text->size());
    FUZZ_CHECK(m.checksum.size() == 7 + 64 && m.checksum.starts_with("sha256:"));
    FUZZ_CHECK(m.checksum == Checksum(m.up.sql()));
    // A file with a NUL byte is never accepted (the engines would stop reading at it).
    FUZZ_CHECK(m.up.text->find('\0') == std::string::npos);
    if (m.down) {
      FUZZ_CHECK(m.down->text != nullptr);
      FUZZ_CHECK(m.down->begin <= m.down->end && m.down->end <= m.down->text->size());
      FUZZ_CHECK(m.down->text->find('\0') == std::string::npos);
      (void)m.down->sql();
    }
  }
  return 0;
}
