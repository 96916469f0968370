#include "core/crypto/digest.h"
#include "core/crypto/constant_time.h"
#include "core/crypto/hex.h"
#include "core/crypto/pbkdf2.h"

#include <doctest/doctest.h>

#include <string>

namespace crypto = authpolicy::crypto;

TEST_CASE("SHA-256 known answers (FIPS 180-2)") {
    const auto d = crypto::sha256("abc");
    CHECK(crypto::to_hex(std::string(reinterpret_cast<const char*>(d.data()), d.size())) ==
          "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    CHECK(crypto::to_hex(crypto::digest(crypto::DigestAlgorithm::Sha256, "abc")) ==
          "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_CASE("HMAC matches Django's salted_hmac vectors (drf-spec 7.1)") {
    // salted_hmac(key_salt, value, secret): key = H(key_salt + secret), then HMAC(key, value).
    const std::string key1 = crypto::digest(crypto::DigestAlgorithm::Sha1, "ks");
    CHECK(crypto::to_hex(crypto::hmac(crypto::DigestAlgorithm::Sha1, key1, "v")) ==
          "89a91c6181028ec4bb2539e8b29d07a240ecde7c");
    const std::string key256 = crypto::digest(crypto::DigestAlgorithm::Sha256, "ks");
    CHECK(crypto::to_hex(crypto::hmac(crypto::DigestAlgorithm::Sha256, key256, "v")) ==
          "170511ad2bac3ae25f219b9fc53905760f43368b2f2709ce29e7ecf2c9a13478");
}

TEST_CASE("keyed hasher equals one-shot HMAC-SHA256 and reuses its context safely") {
    crypto::KeyedHasher a("key-a"), b("key-b");
    for (int i = 0; i < 3; ++i) {  // alternate keys on one thread: re-keying must happen
        const auto ha = a("data");
        const auto hb = b("data");
        CHECK(std::string(reinterpret_cast<const char*>(ha.data()), ha.size()) ==
              crypto::hmac(crypto::DigestAlgorithm::Sha256, "key-a", "data"));
        CHECK(std::string(reinterpret_cast<const char*>(hb.data()), hb.size()) ==
              crypto::hmac(crypto::DigestAlgorithm::Sha256, "key-b", "data"));
    }
}

TEST_CASE("PBKDF2-HMAC-SHA256 RFC 7914 vector") {
    CHECK(crypto::to_hex(crypto::pbkdf2(crypto::DigestAlgorithm::Sha256, "passwd", "salt", 1, 64)) ==
          "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc"
          "49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783");
}

TEST_CASE("constant-time equality") {
    CHECK(crypto::constant_time_equal("abc", "abc"));
    CHECK_FALSE(crypto::constant_time_equal("abc", "abd"));
    CHECK_FALSE(crypto::constant_time_equal("abc", "abcd"));
    CHECK(crypto::constant_time_equal("", ""));
}
