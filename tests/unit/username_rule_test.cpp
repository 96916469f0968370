// Security review (issue 22) findings 3 and 12: one username rule for every write path.
#include <doctest/doctest.h>

#include "core/common/error.h"
#include "core/identity/username_rule.h"
#include "test_support.h"

using authpolicy::identity::is_readable_username;
using authpolicy::identity::normalize_new_username;

TEST_CASE("finding 22.12: new usernames are NFKC-normalised as Django's normalize_username") {
    CHECK(normalize_new_username("\xef\xbd\x81\xef\xbd\x84\xef\xbd\x8d\xef\xbd\x89\xef\xbd\x8e") ==
          "admin");                                             // ａｄｍｉｎ
    CHECK(normalize_new_username("e\xcc\x81") == "\xc3\xa9");   // e + combining acute → é
    CHECK(normalize_new_username("\xef\xac\x81le") == "file");  // the ﬁ ligature
    CHECK(normalize_new_username("alice") == "alice");
    CHECK(normalize_new_username("j\xc3\xbcrgen.o'neil@example.com") == "j\xc3\xbcrgen.o'neil@example.com");
    CHECK(normalize_new_username(std::string(150, 'a')).size() == 150);
}

TEST_CASE("finding 22.12: invisible and bidirectional controls are refused") {
    for (const char* bad : {"admin\xe2\x80\x8b",  // U+200B zero width space
                            "ad\xe2\x80\x8dmin",  // U+200D zero width joiner
                            "\xe2\x80\xae"
                            "nimda",  // U+202E right-to-left override
                            "a\xe2\x81\xa6"
                            "b",              // U+2066 left-to-right isolate
                            "a\xe2\x80\x8f",  // U+200F right-to-left mark
                            "\xef\xbb\xbf"
                            "admin",  // U+FEFF BOM
                            "a\xc2\xad"
                            "b",             // U+00AD soft hyphen
                            "\xe3\x85\xa4",  // U+3164 Hangul filler
                            "a\xe2\x80\xa8"
                            "b",  // U+2028 line separator
                            "a\xe3\x80\x80"
                            "b",  // U+3000 ideographic space
                            "a\xef\xbc\x9a"
                            "b"}) {  // U+FF1A fullwidth colon → ':' after NFKC
        CAPTURE(bad);
        CHECK_THROWS_AS(normalize_new_username(bad), authpolicy::Error);
    }
}

TEST_CASE("finding 22.3: the directory's rule: 1-150 bytes, no whitespace, control characters or ':'") {
    for (const std::string& bad :
         {std::string(), std::string("a\0b", 3), std::string("a\x1b[2Jb"), std::string("a\nb"), std::string("a b"),
          std::string("a\tb"), std::string("a:b"), std::string("a\x7f"), std::string("a\xc2\x9b"),
          std::string(151, 'a'), std::string(5000, 'a'), std::string("\xff\xfe"), std::string("\xed\xa0\x80")}) {
        CAPTURE(bad);
        try {
            normalize_new_username(bad);
            FAIL("accepted");
        } catch (const authpolicy::Error& e) {
            CHECK(e.code() == authpolicy::ErrorCode::Invalid);
            CHECK(std::string(e.what()).find(bad.empty() ? "\x01" : bad) == std::string::npos);  // never quoted
        }
    }
}

TEST_CASE("finding 22.10: names read from elsewhere are refused only for NUL and control characters") {
    CHECK(is_readable_username("alice admin"));
    CHECK(is_readable_username("a:b"));
    CHECK(is_readable_username("\xef\xbd\x81"));
    CHECK_FALSE(is_readable_username(std::string("alice\0admin", 11)));
    CHECK_FALSE(is_readable_username("a\x1b"));
    CHECK_FALSE(is_readable_username("a\x7f"));
    CHECK_FALSE(is_readable_username("a\xc2\x85"));
}

TEST_CASE("finding 22.3: RemoteUserAuthentication does not auto-create names the directory forbids") {
    authp_test::Fixture f(R"({"DEFAULT_AUTHENTICATION_CLASSES": ["RemoteUserAuthentication"],
                               "DEFAULT_PERMISSION_CLASSES": ["IsAuthenticated"]})");
    for (const std::string& bad :
         {std::string("a\0b", 3), std::string("evil\x1b]0;x\x07"), std::string("two\nlines"), std::string("a b"),
          std::string(5000, 'x'), std::string("\xef\xbd\x81\xef\xbd\x84\xef\xbd\x8d\xef\xbd\x89\xef\xbd\x8e"),
          std::string("admin\xe2\x80\x8b")}) {
        CAPTURE(bad);
        auto r = authp_test::request();
        r.set_remote_user(bad);
        CHECK(f.decide(r).status == 403);
        CHECK_FALSE(f.engine->services().find_user(bad));
    }
    auto r = authp_test::request();
    r.set_remote_user("carol");
    CHECK(f.decide(r).status == 200);
    CHECK(f.engine->services().find_user("carol"));
}
