#include "base/sha256.h"

#include <openssl/evp.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "base/shared_library.h"

namespace strata::base {

namespace {

// libcrypto is loaded on the first digest, not linked: loading and relocating it costs a few
// milliseconds at every start, and an up-to-date run whose files the stat cache vouches for
// hashes nothing (libpq and libmariadb load it anyway when a server is used).
struct Crypto {
#define STRATA_CRYPTO_FUNCTIONS(X) \
  X(EVP_MD_fetch) X(EVP_MD_CTX_new) X(EVP_MD_CTX_free) X(EVP_DigestInit_ex) X(EVP_DigestUpdate) X(EVP_DigestFinal_ex)
#define STRATA_CRYPTO_MEMBER(name) decltype(&::name) name = nullptr;
  STRATA_CRYPTO_FUNCTIONS(STRATA_CRYPTO_MEMBER)
#undef STRATA_CRYPTO_MEMBER
  // OpenSSL 3 looks the algorithm up on every EVP_sha256()-based call unless it is fetched
  // explicitly; fetching once makes hashing a thousand small files about five times cheaper.
  EVP_MD* sha256 = nullptr;
};

[[noreturn]] void Fail(const std::string& what) {
  // A digest cannot fail on a sound installation; without one no checksum can be trusted.
  std::fprintf(stderr, "strata: SHA-256 is unavailable: %s\n", what.c_str());
  std::abort();
}

const Crypto& Api() {
  static const Crypto api = [] {
    Crypto c;
    auto lib = SharedLibrary::Open("libcrypto.so.3", "SHA-256", "libssl3");
    if (!lib.ok()) Fail(lib.status().message());
#define STRATA_CRYPTO_LOAD(name) \
  if (Status st = lib->Load(c.name, #name); !st.ok()) Fail(st.message());
    STRATA_CRYPTO_FUNCTIONS(STRATA_CRYPTO_LOAD)
#undef STRATA_CRYPTO_LOAD
    c.sha256 = c.EVP_MD_fetch(nullptr, "SHA256", nullptr);
    if (!c.sha256) Fail("libcrypto.so.3 has no SHA256");
    return c;
  }();
  return api;
}

}  // namespace

struct Sha256::Ctx {
  EVP_MD_CTX* ctx = nullptr;
};

Sha256::Sha256() : ctx_(std::make_unique<Ctx>()) {
  const Crypto& c = Api();
  ctx_->ctx = c.EVP_MD_CTX_new();
  if (!ctx_->ctx || c.EVP_DigestInit_ex(ctx_->ctx, c.sha256, nullptr) != 1) Fail("EVP_DigestInit_ex failed");
}

Sha256::~Sha256() { Api().EVP_MD_CTX_free(ctx_->ctx); }

void Sha256::Update(std::string_view data) {
  if (!data.empty() && Api().EVP_DigestUpdate(ctx_->ctx, data.data(), data.size()) != 1) {
    Fail("EVP_DigestUpdate failed");
  }
}

std::string Sha256::HexDigest() {
  const Crypto& c = Api();
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (c.EVP_DigestFinal_ex(ctx_->ctx, digest, &len) != 1) Fail("EVP_DigestFinal_ex failed");
  if (c.EVP_DigestInit_ex(ctx_->ctx, c.sha256, nullptr) != 1) Fail("EVP_DigestInit_ex failed");
  static const char* kHex = "0123456789abcdef";
  std::string out;
  out.reserve(len * 2);
  for (unsigned int i = 0; i < len; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 0xF];
  }
  return out;
}

std::string Sha256Hex(std::string_view data) {
  Sha256 h;
  h.Update(data);
  return h.HexDigest();
}

}  // namespace strata::base
