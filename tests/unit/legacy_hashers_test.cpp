// Django's other password formats: argon2, scrypt, and the legacy md5/sha1/unsalted ones
// (vectors made with Django 3.2's make_password and hashlib.scrypt).
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "core/passwords/password_hasher.h"

using authpolicy::passwords::PasswordHashers;

namespace {
const char* kArgon2 = "argon2$argon2id$v=19$m=102400,t=2,p=8$c2Vhc2FsdDEyMzQ1Njc4OTBhYg$kIGWardl40gm8ygrgIVIFA";
const char* kScrypt =
    "scrypt$16384$seasalt1234567890ab$8$1$OQUjVh/"
    "gG5UCVuXLhbl735WAEAoNJjE5AQd9cE18J5y6G8kve9k+ndvcHMYTA5Xo5L3LXPvu9oft2e2"
    "EGhLxIg==";
const char* kMd5 = "md5$seasalt1234567890ab$c1b3adc701c5b4fb4d5a4d2c22db3228";
const char* kSha1 = "sha1$seasalt1234567890ab$d1eb71d2c0ea9e4e6fc01ffe751d99b10ab8d392";
const char* kUnsaltedMd5 = "5f4dcc3b5aa765d61d8327deb882cf99";
const char* kUnsaltedMd5Prefixed = "md5$$5f4dcc3b5aa765d61d8327deb882cf99";
const char* kUnsaltedSha1 = "sha1$$5baa61e4c9b93f3f0682250b6cf8331b7ee68fd8";
}  // namespace

TEST_CASE("argon2 and scrypt verify Django's hashes") {
    PasswordHashers h(1000);
    for (const char* encoded : {kArgon2, kScrypt}) {
        CAPTURE(encoded);
        const auto ok = h.verify("password", encoded);
        CHECK(ok.matches);
        CHECK(ok.recognised);
        CHECK(ok.needs_rehash);
        CHECK_FALSE(h.verify("Password", encoded).matches);
        CHECK_FALSE(h.verify("", encoded).matches);
    }
}

TEST_CASE("argon2 and scrypt refuse hostile parameters without running the KDF") {
    PasswordHashers h(1000);
    CHECK_FALSE(
        h.verify("password", "argon2$argon2id$v=19$m=99999999,t=2,p=8$c2FsdHNhbHQ$kIGWardl40gm8ygrgIVIFA").recognised);
    CHECK_FALSE(
        h.verify("password", "argon2$argon2id$v=19$m=1024,t=999,p=1$c2FsdHNhbHQ$kIGWardl40gm8ygrgIVIFA").recognised);
    CHECK_FALSE(h.verify("password", "argon2$argon2x$v=19$m=1024,t=1,p=1$c2FsdHNhbHQ$kIGWardl40gm8ygrgIVIFA").matches);
    CHECK_FALSE(h.verify("password", "scrypt$1073741824$salt$8$1$AAAA").recognised);
    CHECK_FALSE(h.verify("password", "scrypt$1000$salt$8$1$AAAA").recognised);  // n not a power of two
    CHECK_FALSE(h.verify("password", "scrypt$16384$salt$8$1$not-base64").recognised);
    CHECK_FALSE(h.verify("password", "argon2$").matches);
    CHECK_FALSE(h.verify("password", "scrypt$$$$$").matches);
}

TEST_CASE("legacy formats verify only when PASSWORD_HASHERS lists them") {
    PasswordHashers h(1000);
    for (const char* e : {kMd5, kSha1, kUnsaltedMd5, kUnsaltedMd5Prefixed, kUnsaltedSha1})
        CHECK_FALSE(h.verify("password", e).matches);
    h.set_allowed({"md5", "sha1", "unsalted_md5", "unsalted_sha1"});
    for (const char* e : {kMd5, kSha1, kUnsaltedMd5, kUnsaltedMd5Prefixed, kUnsaltedSha1}) {
        CAPTURE(e);
        CHECK(h.verify("password", e).matches);
        CHECK_FALSE(h.verify("passwort", e).matches);
    }
    CHECK_FALSE(h.verify("password", "pbkdf2_sha256$1000$salt$x").recognised);  // not listed any more
}

TEST_CASE("an unsupported hasher is reported and never matches") {
    PasswordHashers h(1000);
    std::vector<std::string> reported;
    h.set_unsupported_handler([&](std::string_view a) { reported.emplace_back(a); });
    h.set_allowed({"pbkdf2_sha256", "bcrypt_sha256"});
    CHECK_FALSE(
        h.verify("password", "bcrypt_sha256$$2b$12$abcdefghijklmnopqrstuuAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA").matches);
    REQUIRE(reported.size() == 1);
    CHECK(reported[0] == "bcrypt_sha256");
}
