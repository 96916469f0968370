#include "core/crypto/digest.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <atomic>
#include <memory>

#include "core/common/error.h"

namespace authpolicy::crypto {
namespace {

[[noreturn]] void fail(const char* what) {
    throw Error(ErrorCode::Crypto, std::string("OpenSSL failed: ") + what);
}

// EVP_MD_fetch is expensive in OpenSSL 3; fetch each algorithm once and keep it.
const EVP_MD* fetched(DigestAlgorithm alg) {
    static EVP_MD* const sha1 = EVP_MD_fetch(nullptr, "SHA1", nullptr);
    static EVP_MD* const sha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    static EVP_MD* const sha512 = EVP_MD_fetch(nullptr, "SHA512", nullptr);
    const EVP_MD* md = alg == DigestAlgorithm::Sha1 ? sha1 : alg == DigestAlgorithm::Sha256 ? sha256 : sha512;
    if (md == nullptr) fail("EVP_MD_fetch");
    return md;
}

EVP_MAC* fetched_hmac() {
    static EVP_MAC* const mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
    if (mac == nullptr) fail("EVP_MAC_fetch");
    return mac;
}

struct MdCtxDeleter {
    void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
struct MacCtxDeleter {
    void operator()(EVP_MAC_CTX* c) const { EVP_MAC_CTX_free(c); }
};

std::atomic<uint64_t> next_hasher_id{1};

}  // namespace

size_t digest_size(DigestAlgorithm alg) {
    return static_cast<size_t>(EVP_MD_get_size(fetched(alg)));
}

std::string digest(DigestAlgorithm alg, std::string_view data) {
    std::string out(EVP_MAX_MD_SIZE, '\0');
    unsigned int len = 0;
    if (EVP_Digest(data.data(), data.size(), reinterpret_cast<unsigned char*>(out.data()), &len, fetched(alg),
                   nullptr) != 1)
        fail("EVP_Digest");
    out.resize(len);
    return out;
}

Sha256 sha256(std::string_view data) {
    thread_local std::unique_ptr<EVP_MD_CTX, MdCtxDeleter> ctx{EVP_MD_CTX_new()};
    if (!ctx) fail("EVP_MD_CTX_new");
    Sha256 out{};
    unsigned int len = 0;
    if (EVP_DigestInit_ex2(ctx.get(), fetched(DigestAlgorithm::Sha256), nullptr) != 1 ||
        EVP_DigestUpdate(ctx.get(), data.data(), data.size()) != 1 ||
        EVP_DigestFinal_ex(ctx.get(), out.data(), &len) != 1)
        fail("SHA-256");
    return out;
}

std::string hmac(DigestAlgorithm alg, std::string_view key, std::string_view data) {
    std::string out(EVP_MAX_MD_SIZE, '\0');
    unsigned int len = 0;
    if (HMAC(fetched(alg), key.data(), static_cast<int>(key.size()),
             reinterpret_cast<const unsigned char*>(data.data()), data.size(),
             reinterpret_cast<unsigned char*>(out.data()), &len) == nullptr)
        fail("HMAC");
    out.resize(len);
    return out;
}

KeyedHasher::KeyedHasher(std::string key) : key_(std::move(key)), id_(next_hasher_id.fetch_add(1)) {}

KeyedHasher::~KeyedHasher() {
    OPENSSL_cleanse(key_.data(), key_.size());
}

Sha256 KeyedHasher::operator()(std::string_view data) const {
    // One MAC context per thread, re-keyed only when a different hasher uses it.
    struct Slot {
        std::unique_ptr<EVP_MAC_CTX, MacCtxDeleter> ctx;
        uint64_t keyed_for = 0;
    };
    thread_local Slot slot;
    if (!slot.ctx) slot.ctx.reset(EVP_MAC_CTX_new(fetched_hmac()));
    if (!slot.ctx) fail("EVP_MAC_CTX_new");
    const unsigned char* key = slot.keyed_for == id_ ? nullptr : reinterpret_cast<const unsigned char*>(key_.data());
    OSSL_PARAM params[2];
    char digest_name[] = "SHA256";
    params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest_name, 0);
    params[1] = OSSL_PARAM_construct_end();
    if (EVP_MAC_init(slot.ctx.get(), key, key ? key_.size() : 0, key ? params : nullptr) != 1) fail("EVP_MAC_init");
    slot.keyed_for = id_;
    Sha256 out{};
    size_t len = 0;
    if (EVP_MAC_update(slot.ctx.get(), reinterpret_cast<const unsigned char*>(data.data()), data.size()) != 1 ||
        EVP_MAC_final(slot.ctx.get(), out.data(), &len, out.size()) != 1)
        fail("HMAC-SHA256");
    return out;
}

}  // namespace authpolicy::crypto
