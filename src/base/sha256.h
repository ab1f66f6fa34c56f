// SHA-256 through OpenSSL's EVP interface, as lower-case hex.
#pragma once

#include <string>
#include <string_view>

namespace strata::base {

// Lower-case hex SHA-256 of `data`. Never fails (aborts only if OpenSSL cannot allocate).
std::string Sha256Hex(std::string_view data);

}  // namespace strata::base
