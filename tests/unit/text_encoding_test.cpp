#include "core/http/text_encoding.h"

#include <doctest/doctest.h>

using authpolicy::http::is_valid_utf8;
using authpolicy::http::latin1_to_utf8;

TEST_CASE("strict UTF-8 as Python decodes it") {
    CHECK(is_valid_utf8("plain ascii"));
    CHECK(is_valid_utf8("walterwhit\xc3\xa9"));
    CHECK(is_valid_utf8("\xf0\x9f\x94\x91"));        // U+1F511
    CHECK_FALSE(is_valid_utf8("abcd\xb8"));          // lone continuation byte (DRF: 'invalid characters')
    CHECK_FALSE(is_valid_utf8("\xc0\xaf"));          // overlong
    CHECK_FALSE(is_valid_utf8("\xe0\x80\xaf"));      // overlong
    CHECK_FALSE(is_valid_utf8("\xed\xa0\x80"));      // surrogate
    CHECK_FALSE(is_valid_utf8("\xf4\x90\x80\x80"));  // above U+10FFFF
    CHECK_FALSE(is_valid_utf8("\xe2\x82"));          // truncated
}

TEST_CASE("latin-1 fallback maps each byte to its code point") {
    CHECK(latin1_to_utf8("p\xe4ssw\xf6rd") == "p\xc3\xa4ssw\xc3\xb6rd");
    CHECK(latin1_to_utf8("ascii") == "ascii");
}
