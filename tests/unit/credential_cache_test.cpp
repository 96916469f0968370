#include "core/cache/credential_cache.h"

#include <doctest/doctest.h>

using authpolicy::cache::CredentialCache;
using authpolicy::crypto::Sha256;

namespace {
Sha256 key(uint8_t b) {
    Sha256 k{};
    k.fill(b);
    return k;
}
}  // namespace

TEST_CASE("entries expire after the TTL and never before it is stored") {
    CredentialCache<int> c(5.0, 100);
    c.put(key(1), 42, 100.0, c.generation());
    CHECK(c.get(key(1), 100.0) == 42);
    CHECK(c.get(key(1), 104.9) == 42);
    CHECK_FALSE(c.get(key(1), 105.0));
    c.put(key(2), 7, 100.0, c.generation());
    CHECK_FALSE(c.get(key(2), 99.0));  // a clock that went backwards does not keep entries alive
}

TEST_CASE("invalidate_all drops every entry, and values read before it are not stored as fresh") {
    CredentialCache<int> c(60.0, 100);
    const uint64_t seen = c.generation();
    c.put(key(1), 1, 0.0, seen);
    c.invalidate_all();
    CHECK_FALSE(c.get(key(1), 1.0));
    c.put(key(2), 2, 0.0, seen);  // fetched before the invalidation
    CHECK_FALSE(c.get(key(2), 1.0));
    c.put(key(3), 3, 0.0, c.generation());
    CHECK(c.get(key(3), 1.0) == 3);
}

TEST_CASE("TTL 0 disables the cache") {
    CredentialCache<int> c(0.0, 100);
    CHECK_FALSE(c.enabled());
    c.put(key(1), 1, 0.0, 0);
    CHECK_FALSE(c.get(key(1), 0.0));
}

TEST_CASE("the cache stays bounded") {
    CredentialCache<int> c(60.0, 64);  // one slot per shard
    for (int i = 0; i < 1000; ++i) {
        Sha256 k{};
        k[0] = static_cast<uint8_t>(i);
        k[1] = static_cast<uint8_t>(i >> 8);
        k[31] = static_cast<uint8_t>(i);
        c.put(k, i, 0.0, c.generation());
    }
    int present = 0;
    for (int i = 0; i < 1000; ++i) {
        Sha256 k{};
        k[0] = static_cast<uint8_t>(i);
        k[1] = static_cast<uint8_t>(i >> 8);
        k[31] = static_cast<uint8_t>(i);
        present += c.get(k, 0.0).has_value();
    }
    CHECK(present <= 128);
    CHECK(present > 0);
}
