#include "core/passwords/password_hasher.h"

#include <doctest/doctest.h>

#include "core/passwords/pbkdf2_password_hasher.h"

using authpolicy::passwords::PasswordHashers;

// Vectors from drf-spec §7.2: password "password", salt "seasalt1234567890ab", computed with
// hashlib and cross-checked against Django 3.2's check_password.
TEST_CASE("Django pbkdf2_sha256 hashes verify at every default iteration count") {
    const std::pair<unsigned, const char*> vectors[] = {
        {260000, "9WnkR8KkBGVTAx1qmk06ghvhZwk+F3wPDe90dlCqG/Y="},
        {320000, "RiaT3qs/1ILkh7ENEpW4u+fhp5MZF9k/b/xniF+WIW0="},
        {390000, "96aMJl6i5k+tupMIFgWakCDYWXpLeykJHM0sd90MQ5c="},
        {600000, "onN/rsvOMH6Mx0EUUEfOKKMOCUkoiFVUep50fNYnS+E="},
        {720000, "jhhld7Ff7J/ig5i0hSb721YG/zIlkVmXZBMqkONZ2ug="},
        {870000, "X6fM2XFb2XQAyCu1TPt5wIESlEK4Gy1Xl1Q73oG/9Ms="},
        {1000000, "OJInoMHijizO8sHQDlxrdg3nO+zfg+K4TLiZS8AFFCo="},
        {1200000, "5F0nhBYLq+KalLR/OokJ7yXQZNMS+LWNwmz90/WniNY="},
    };
    PasswordHashers hashers;  // 1,000,000 iterations is current
    for (const auto& [iterations, hash] : vectors) {
        const std::string encoded = "pbkdf2_sha256$" + std::to_string(iterations) + "$seasalt1234567890ab$" + hash;
        CAPTURE(encoded);
        const auto ok = hashers.verify("password", encoded);
        CHECK(ok.matches);
        CHECK(ok.recognised);
        // must_update: fewer iterations than current, or a salt under 128 bits (19 chars < 22).
        CHECK(ok.needs_rehash);
        CHECK_FALSE(hashers.verify("Password", encoded).matches);
    }
}

TEST_CASE("new hashes use pbkdf2_sha256, a 22-character salt and the configured iterations") {
    PasswordHashers hashers(1000);
    const std::string encoded = hashers.make("s3cret");
    CHECK(encoded.rfind("pbkdf2_sha256$1000$", 0) == 0);
    const auto salt = encoded.substr(19, encoded.find('$', 19) - 19);
    CHECK(salt.size() == 22);
    const auto r = hashers.verify("s3cret", encoded);
    CHECK(r.matches);
    CHECK_FALSE(r.needs_rehash);
    CHECK(PasswordHashers(2000).verify("s3cret", encoded).needs_rehash);
}

TEST_CASE("pbkdf2_sha1 verifies and always needs a rehash") {
    authpolicy::passwords::Pbkdf2PasswordHasher sha1(authpolicy::crypto::DigestAlgorithm::Sha1);
    const std::string encoded = sha1.encode("pw", "abcdefghijklmnopqrstuv", 1000);
    const auto r = PasswordHashers(1000).verify("pw", encoded);
    CHECK(r.matches);
    CHECK(r.needs_rehash);
}

TEST_CASE("unusable, empty, unknown and malformed hashes never match") {
    PasswordHashers hashers(1000);
    CHECK_FALSE(hashers.verify("", "").matches);
    CHECK_FALSE(hashers.verify("x", authpolicy::passwords::make_unusable_password()).matches);
    CHECK(authpolicy::passwords::make_unusable_password().size() == 41);
    CHECK_FALSE(hashers.verify("password", "md5$salt$abc").recognised);
    CHECK_FALSE(hashers.verify("password", "pbkdf2_sha256$notanumber$salt$hash").matches);
    CHECK_FALSE(hashers.verify("password", "pbkdf2_sha256$0$salt$hash").matches);
    CHECK_FALSE(hashers.verify("password", "pbkdf2_sha256$999999999999$salt$hash").matches);
    CHECK_FALSE(hashers.verify("password", "pbkdf2_sha256$1000").matches);
}

TEST_CASE("passwords over 4096 bytes are refused before hashing (CVE-2013-1443)") {
    PasswordHashers hashers(1000);
    const std::string longpw(4097, 'a');
    const std::string encoded = hashers.make(std::string(4096, 'a'));
    CHECK(hashers.verify(std::string(4096, 'a'), encoded).matches);
    CHECK_FALSE(hashers.verify(longpw, hashers.make("x")).matches);
}
