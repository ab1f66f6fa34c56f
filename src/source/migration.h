// A loaded migration: its version, name, checksum and the SQL text of its up and down parts,
// with enough of the file kept to turn a byte offset into file:line:col.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "source/filename.h"

namespace strata::base {
class Sha256;
}

namespace strata::source {

// One executable part of a migration file (the whole file, or one -- migrate: section).
struct Script {
  std::string path;                          // as shown to the user
  std::shared_ptr<const std::string> text;   // the whole file, byte-order mark removed
  std::size_t begin = 0, end = 0;            // the part's byte range in *text
  bool no_transaction = false;               // -- strata:no-transaction
  bool no_split = false;                     // -- strata:no-split
  bool allow_data_loss = false;              // -- strata:allow-data-loss

  std::string_view sql() const { return std::string_view(*text).substr(begin, end - begin); }
};

struct Migration {
  std::uint64_t version = 0;
  std::string version_text;
  std::string name;
  Convention convention = Convention::kSeed;
  std::string checksum;  // "sha256:<hex>" of the up part, CRLF normalized
  Script up;
  std::optional<Script> down;
};

// "sha256:<hex>" of `sql` after CRLF -> LF. (The byte-order mark is already gone from a Script.)
std::string Checksum(std::string_view sql);

// Adds `text` to `h` as if every "\r\n" were "\n", without copying it: the normalization of
// Checksum, shared with strata.sum.
void UpdateNormalized(base::Sha256& h, std::string_view text);

}  // namespace strata::source
