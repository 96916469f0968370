#include "core/crypto/random.h"

#include <doctest/doctest.h>

#include <set>

namespace crypto = authpolicy::crypto;

TEST_CASE("random hex keys: 40 lowercase hex characters, all distinct (DRF test_generate_key_*)") {
    std::set<std::string> seen;
    for (int i = 0; i < 500; ++i) {
        const std::string k = crypto::random_hex(20);
        CHECK(k.size() == 40);
        CHECK(k.find_first_not_of("0123456789abcdef") == std::string::npos);
        seen.insert(k);
    }
    CHECK(seen.size() == 500);
}

TEST_CASE("random strings stay inside the alphabet and use all of it") {
    const std::string s = crypto::random_string("abc", 3000);
    CHECK(s.size() == 3000);
    CHECK(s.find_first_not_of("abc") == std::string::npos);
    for (char c : std::string("abc")) CHECK(s.find(c) != std::string::npos);
}
