// Cookie header parsing as Django's parse_cookie (django/http/cookie.py).
#include <doctest/doctest.h>

#include "core/http/cookies.h"

using authpolicy::http::find_cookie;
using authpolicy::http::unquote_cookie_value;

TEST_CASE("cookies: Django's parse_cookie semantics") {
    CHECK(find_cookie("sessionid=abc; csrftoken=xyz", "csrftoken") == "xyz");
    CHECK(find_cookie("  sessionid = abc  ;csrftoken=xyz", "sessionid") == "abc");
    CHECK(find_cookie("a=1; a=2", "a") == "2");           // the last one wins
    CHECK(find_cookie("a=b=c", "a") == "b=c");            // split at the first '='
    CHECK(find_cookie("novalue; a=1", "") == "novalue");  // a chunk without '=' has an empty name
    CHECK(find_cookie("a=1", "b") == std::nullopt);
    CHECK(find_cookie("", "a") == std::nullopt);
    CHECK(find_cookie(";;;", "a") == std::nullopt);
    CHECK(find_cookie("a=", "a") == "");
    CHECK(find_cookie("a=\"x y\"", "a") == "x y");
    CHECK(find_cookie("A=1", "a") == std::nullopt);  // names are case-sensitive
}

TEST_CASE("cookies: Python's _unquote") {
    CHECK(unquote_cookie_value("\"a\\101b\\\"c\"") == "aAb\"c");
    CHECK(unquote_cookie_value("\"\\377\"") == "\xc3\xbf");
    CHECK(unquote_cookie_value("\"") == "\"");
    CHECK(unquote_cookie_value("\"\\\"") == "\\");
    CHECK(unquote_cookie_value("plain") == "plain");
}

TEST_CASE("cookies: hostile input is bounded and never crashes") {
    std::string many;
    for (int i = 0; i < 1000; ++i) many += "k" + std::to_string(i) + "=v;";
    many += "target=late";
    CHECK(find_cookie(many, "k5") == "v");
    CHECK(find_cookie(many, "target") == std::nullopt);  // past kMaxCookies
    std::string junk;
    for (int i = 0; i < 4096; ++i) junk.push_back(static_cast<char>(i * 37 % 256));
    (void)find_cookie(junk, "a");
    (void)unquote_cookie_value("\"" + junk + "\\\"");
}
