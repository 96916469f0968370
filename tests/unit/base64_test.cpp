#include "core/crypto/base64.h"

#include <doctest/doctest.h>

using authpolicy::crypto::base64_decode;
using authpolicy::crypto::base64_decode_lenient;
using authpolicy::crypto::base64_encode;

TEST_CASE("base64 encodes RFC 4648 test vectors") {
    CHECK(base64_encode("") == "");
    CHECK(base64_encode("f") == "Zg==");
    CHECK(base64_encode("fo") == "Zm8=");
    CHECK(base64_encode("foo") == "Zm9v");
    CHECK(base64_encode("foobar") == "Zm9vYmFy");
}

TEST_CASE("strict base64 rejects junk, bad padding and bad lengths") {
    CHECK(base64_decode("Zm9vYmFy") == "foobar");
    CHECK(base64_decode("Zg==") == "f");
    CHECK_FALSE(base64_decode("Zg="));
    CHECK_FALSE(base64_decode("Z=g="));
    CHECK_FALSE(base64_decode("Zm9v!mFy"));
    CHECK_FALSE(base64_decode("Zm9=YmFy"));
}

// Expected values were produced by Python 3.11's base64.b64decode (validate=False),
// which is what DRF's BasicAuthentication calls.
TEST_CASE("lenient base64 matches Python's b64decode") {
    CHECK(base64_decode_lenient("am9objpwYXNzd29yZA==") == "john:password");
    CHECK_FALSE(base64_decode_lenient("am9objpwYXNzd29yZA"));  // Incorrect padding
    CHECK_FALSE(base64_decode_lenient("=a="));                 // 1 more than a multiple of 4
    CHECK(base64_decode_lenient("!!!!") == "");                // junk skipped: empty result
    CHECK(base64_decode_lenient("am9o bjpw") == "john:p");     // space skipped
    CHECK_FALSE(base64_decode_lenient("a"));
    CHECK_FALSE(base64_decode_lenient("ab"));
    CHECK_FALSE(base64_decode_lenient("ab="));
    CHECK(base64_decode_lenient("ab==") == "i");
    CHECK(base64_decode_lenient("ab==cd") == "i");  // data after complete padding ignored
    CHECK(base64_decode_lenient("abc=d") == "i\xb7");
    CHECK(base64_decode_lenient("ab=c=") == "i\xb7");
    CHECK(base64_decode_lenient("YQ==YQ==") == "a");
    CHECK(base64_decode_lenient("Y=Q==") == "a");
    CHECK_FALSE(base64_decode_lenient("YQ="));
}
