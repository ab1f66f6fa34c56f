// SHA-256 through OpenSSL's EVP interface, as lower-case hex.
#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace strata::base {

// Incremental SHA-256. Not thread-safe; cheap to create (the algorithm is fetched once per process).
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void Update(std::string_view data);
  // Lower-case hex digest of everything passed to Update since construction or the previous
  // HexDigest; the object is then ready for the next message.
  std::string HexDigest();

 private:
  struct Ctx;
  std::unique_ptr<Ctx> ctx_;
};

// Lower-case hex SHA-256 of `data`.
std::string Sha256Hex(std::string_view data);

}  // namespace strata::base
