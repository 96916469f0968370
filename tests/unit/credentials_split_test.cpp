#include "core/http/credentials_split.h"

#include <doctest/doctest.h>

using authpolicy::http::equals_ignore_case;
using authpolicy::http::split_credentials;

TEST_CASE("split follows Python bytes.split(): runs of ASCII whitespace, no empty fields") {
    auto s = split_credentials("Basic  abc");
    REQUIRE(s.count == 2);
    CHECK(s.parts[0] == "Basic");
    CHECK(s.parts[1] == "abc");
    s = split_credentials(
        "\tToken\x0b"
        "key\r\n");
    REQUIRE(s.count == 2);
    CHECK(s.parts[1] == "key");
    CHECK(split_credentials("").count == 0);
    CHECK(split_credentials("   ").count == 0);
    CHECK(split_credentials("Basic").count == 1);
    CHECK(split_credentials("Basic ").count == 1);
    CHECK(split_credentials("Basic foo bar").count == 3);
}

TEST_CASE("NBSP is not whitespace for the split") {
    auto s = split_credentials(
        "Token a\xa0"
        "b");
    REQUIRE(s.count == 2);
    CHECK(s.parts[1] ==
          "a\xa0"
          "b");
}

TEST_CASE("scheme keywords compare case-insensitively in ASCII only") {
    CHECK(equals_ignore_case("BASIC", "basic"));
    CHECK(equals_ignore_case("bAsIc", "Basic"));
    CHECK_FALSE(equals_ignore_case("Basic", "Basi"));
    CHECK_FALSE(equals_ignore_case("Bearer", "Token"));
}
