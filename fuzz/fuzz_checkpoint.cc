// Fuzzes a checkpoint's header (source::ReadCovers, CoversOf, IsCheckpoint) and checks that the
// header strata writes for what parses reads back as the same list.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_common.h"
#include "source/checkpoint.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace strata::source;
  std::string_view text(reinterpret_cast<const char*>(data), size);

  auto covers = ReadCovers(text, 0, text.size());
  if (!covers.ok()) {
    FUZZ_CHECK(covers.status().code() == strata::ErrorCode::kInvalidArgument);
    FUZZ_CHECK(covers.status().sql_offset().has_value() && *covers.status().sql_offset() <= text.size());
  } else {
    FUZZ_CHECK(!covers->empty());
    for (std::size_t i = 1; i < covers->size(); ++i) FUZZ_CHECK((*covers)[i - 1].version < (*covers)[i].version);
    std::string header = CheckpointHeader(*covers);
    auto again = ReadCovers(header, 0, header.size());
    FUZZ_CHECK(again.ok());
    FUZZ_CHECK(again->size() == covers->size());
    for (std::size_t i = 0; i < covers->size(); ++i) {
      FUZZ_CHECK((*again)[i].version == (*covers)[i].version && (*again)[i].name == (*covers)[i].name &&
                 (*again)[i].checksum == (*covers)[i].checksum);
    }
    FUZZ_CHECK(IsCheckpoint("v001_checkpoint.sql", header + "SELECT 1;\n"));
  }
  // A whole file under each convention's name: never crashes, and a checkpoint always has covers.
  for (const char* name : {"v001_checkpoint.sql", "0001_checkpoint.up.sql", "20250101000000_checkpoint.sql"}) {
    if (!IsCheckpoint(name, text)) FUZZ_CHECK(CoversOf(name, text).empty());
  }
  return 0;
}
