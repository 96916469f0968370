// The parsing pieces of the Django ecosystem classes (core/django/ecosystem/): Python's int(),
// PyJWT's lenient base64url, str.split() over latin-1, drf-api-key's KeyParser, knox's
// token_key slicing, PyJWT's claim rules and the settings blocks' validation.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "core/common/error.h"
#include "core/crypto/digest.h"
#include "core/django/ecosystem/api_key_permission.h"
#include "core/django/ecosystem/ecosystem_settings.h"
#include "core/django/ecosystem/knox_authenticator.h"
#include "core/django/ecosystem/pyjwt_decode.h"
#include "core/django/ecosystem/python_compat.h"
#include "core/django/ecosystem/simplejwt_authenticator.h"
#include "core/jose/base64url.h"

using namespace authpolicy::django::ecosystem;
using nlohmann::json;
namespace jose = authpolicy::jose;

TEST_CASE("py_int: int() of JSON values as CPython converts them") {
    CHECK(py_int(json(5)).value == 5);
    CHECK(py_int(json(5.9)).value == 5);
    CHECK(py_int(json(-5.9)).value == -5);
    CHECK(py_int(json(true)).value == 1);
    CHECK(py_int(json(" 12 ")).value == 12);
    CHECK(py_int(json("1_000")).value == 1000);
    CHECK(py_int(json("+7")).value == 7);
    CHECK(py_int(json("1__0")).kind == PyInt::Kind::ValueError);
    CHECK(py_int(json("_1")).kind == PyInt::Kind::ValueError);
    CHECK(py_int(json("1_")).kind == PyInt::Kind::ValueError);
    CHECK(py_int(json("5.0")).kind == PyInt::Kind::ValueError);
    CHECK(py_int(json("")).kind == PyInt::Kind::ValueError);
    CHECK(py_int(json("-")).kind == PyInt::Kind::ValueError);
    CHECK(py_int(json(nullptr)).kind == PyInt::Kind::TypeError);
    CHECK(py_int(json::array()).kind == PyInt::Kind::TypeError);
    CHECK(py_int(json::object()).kind == PyInt::Kind::TypeError);
}

TEST_CASE("py_urlsafe_b64decode_padded: CPython's non-strict a2b_base64 after PyJWT's padding") {
    // Each expectation was read from /usr/bin/python3 (3.11): base64.urlsafe_b64decode(s + pad).
    CHECK(py_urlsafe_b64decode_padded("YQ") == "a");
    CHECK(py_urlsafe_b64decode_padded("YQ=") == "a");
    CHECK(py_urlsafe_b64decode_padded("YWJj!") == "abc");
    CHECK(py_urlsafe_b64decode_padded("YW=Jj") == "abc");
    CHECK(py_urlsafe_b64decode_padded("YW==Jj") == "a");
    CHECK(py_urlsafe_b64decode_padded("YQ==YQ") == "a");
    CHECK(py_urlsafe_b64decode_padded("YWJjZA") == "abcd");
    CHECK(py_urlsafe_b64decode_padded("-_-_") == std::string("\xfb\xff\xbf", 3));
    CHECK(py_urlsafe_b64decode_padded("+/+/") == std::string("\xfb\xff\xbf", 3));
    CHECK_FALSE(py_urlsafe_b64decode_padded("Y"));
    CHECK_FALSE(py_urlsafe_b64decode_padded("Y!Q"));
    CHECK_FALSE(py_urlsafe_b64decode_padded("Y=Q"));
    CHECK(py_urlsafe_b64decode_padded("") == "");
}

TEST_CASE("py_str_split_latin1: str.split() splits on latin-1 NBSP and NEL too") {
    const auto s = py_str_split_latin1("Bearer\xa0tok", 2);
    CHECK(s.count == 2);
    CHECK(s.parts[1] == "tok");
    CHECK(py_str_split_latin1("  a \x85 b\x1c c ", 2).count == 3);
    CHECK(py_str_split_latin1("", 2).count == 0);
    CHECK(py_truthy(json("x")));
    CHECK_FALSE(py_truthy(json("")));
    CHECK_FALSE(py_truthy(json::array()));
    CHECK_FALSE(py_truthy(json(0)));
}

TEST_CASE("api_key_from_authorization: KeyParser splits on \"Api-Key \", which must occur once") {
    CHECK(api_key_from_authorization("Api-Key abc.def") == std::string_view("abc.def"));
    CHECK(api_key_from_authorization("Token Api-Key abc") == std::string_view("abc"));  // anything before it
    CHECK(api_key_from_authorization("Api-Key ") == std::string_view(""));
    CHECK(api_key_from_authorization("Api-Key  abc") == std::string_view(" abc"));
    CHECK_FALSE(api_key_from_authorization("api-key abc"));
    CHECK_FALSE(api_key_from_authorization("Api-Key a Api-Key b"));
    CHECK_FALSE(api_key_from_authorization("Api-Keyabc"));
}

TEST_CASE("utf8_prefix: knox's token[:15] counts code points") {
    CHECK(utf8_prefix("0123456789abcdefgh", 15) == "0123456789abcde");
    CHECK(utf8_prefix("\xc3\xa9\xc3\xa9x", 2) == "\xc3\xa9\xc3\xa9");
    CHECK(utf8_prefix("ab", 15) == "ab");
}

namespace {

std::string hs256(const json& header, const json& payload, const std::string& key) {
    const std::string input = jose::base64url_encode(header.dump()) + "." + jose::base64url_encode(payload.dump());
    return input + "." +
           jose::base64url_encode(authpolicy::crypto::hmac(authpolicy::crypto::DigestAlgorithm::Sha256, key, input));
}

const std::string kKey = "unit-test-signing-key-0123456789abcdef";

PyJwtOptions options() {
    PyJwtOptions o;
    o.algorithm = "HS256";
    o.key = jose::VerificationKey::from_secret(kKey, {jose::Alg::HS256}, "");
    return o;
}

}  // namespace

TEST_CASE("pyjwt_decode: PyJWT 2.6's rules for simplejwt's TokenBackend") {
    const json alg{{"alg", "HS256"}, {"typ", "JWT"}};
    const double now = 1000000.5;
    const PyJwtOptions o = options();
    using K = PyJwtResult::Kind;
    CHECK(pyjwt_decode(hs256(alg, {{"exp", 1000100}}, kKey), o, now).kind == K::Ok);
    CHECK(pyjwt_decode(hs256(alg, {{"exp", 1000000}}, kKey), o, now).kind == K::Invalid);  // exp <= int(now)
    CHECK(pyjwt_decode(hs256(alg, {{"exp", "1000100"}}, kKey), o, now).kind == K::Ok);     // int("…") passes
    CHECK(pyjwt_decode(hs256(alg, {{"exp", "soon"}}, kKey), o, now).kind == K::Invalid);
    CHECK(pyjwt_decode(hs256(alg, {{"exp", nullptr}}, kKey), o, now).kind == K::ServerError);  // int(None)
    CHECK(pyjwt_decode(hs256(alg, {{"iat", "5"}}, kKey), o, now).kind == K::ServerError);      // "5" > int
    CHECK(pyjwt_decode(hs256(alg, {{"iat", 1000001}}, kKey), o, now).kind == K::Invalid);
    CHECK(pyjwt_decode(hs256(alg, {{"nbf", 1000001}}, kKey), o, now).kind == K::Invalid);
    CHECK(pyjwt_decode(hs256(alg, {{"aud", "x"}}, kKey), o, now).kind == K::Ok);  // AUDIENCE None: not checked
    // PyJWT 2.6 (Debian 12) does not look at kid or crit in decode (tests/differential checks it).
    CHECK(pyjwt_decode(hs256({{"alg", "HS256"}, {"kid", 5}}, json::object(), kKey), o, now).kind == K::Ok);
    CHECK(pyjwt_decode(hs256({{"alg", "HS256"}, {"crit", {"exp"}}}, json::object(), kKey), o, now).kind == K::Ok);
    CHECK(pyjwt_decode(hs256({{"alg", "HS256"}, {"b64", false}}, json::object(), kKey), o, now).kind == K::Invalid);
    CHECK(
        pyjwt_decode(hs256({{"alg", "HS256"}, {"crit", {"b64"}}, {"b64", true}}, json::object(), kKey), o, now).kind ==
        K::Ok);
    CHECK(pyjwt_decode(hs256({{"alg", "HS512"}}, json::object(), kKey), o, now).kind == K::Invalid);
    CHECK(pyjwt_decode(hs256(alg, json::object(), "another-key-another-key-another-key!"), o, now).kind == K::Invalid);
    CHECK(pyjwt_decode("a.b", o, now).kind == K::Invalid);
    CHECK(pyjwt_decode("abc", o, now).kind == K::Invalid);
    // PyJWT skips characters outside the alphabet ("!!" inside the signature still verifies) but
    // pads by the raw length (one "!" leaves 43 characters unpadded: "Incorrect padding").
    std::string token = hs256(alg, {{"exp", 1000100}}, kKey);
    std::string one = token, two = token;
    one.insert(token.rfind('.') + 3, "!");
    two.insert(token.rfind('.') + 3, "!!");
    CHECK(pyjwt_decode(one, o, now).kind == K::Invalid);
    CHECK(pyjwt_decode(two, o, now).kind == K::Ok);

    PyJwtOptions strict = options();
    strict.issuer = "iss";
    strict.audience = std::vector<std::string>{"api"};
    strict.leeway = 30;
    CHECK(pyjwt_decode(hs256(alg, {{"iss", "iss"}, {"aud", {"x", "api"}}}, kKey), strict, now).kind == K::Ok);
    CHECK(pyjwt_decode(hs256(alg, {{"iss", "iss"}, {"aud", json::array()}}, kKey), strict, now).kind == K::Invalid);
    CHECK(pyjwt_decode(hs256(alg, {{"iss", "iss"}, {"aud", {1}}}, kKey), strict, now).kind == K::Invalid);
    CHECK(pyjwt_decode(hs256(alg, {{"aud", "api"}}, kKey), strict, now).kind == K::Invalid);
    const PyJwtResult leeway =
        pyjwt_decode(hs256(alg, {{"iss", "iss"}, {"aud", "api"}, {"exp", 999980}}, kKey), strict, now);
    CHECK(leeway.kind == K::Ok);
    CHECK(leeway.hi == 1000010);  // passes while floor(now) < exp + leeway
}

TEST_CASE("parse_simplejwt_settings: simplejwt's names, defaults and refusals") {
    const auto parse = [](const json& j) { return parse_simplejwt_settings(&j, std::string(kKey)); };
    const SimpleJwtSettings d = parse_simplejwt_settings(nullptr, std::string(kKey));
    CHECK(d.header == "authorization");
    CHECK(d.header_types == std::vector<std::string>{"Bearer"});
    CHECK(d.token_classes.size() == 1);
    const SimpleJwtSettings s = parse({{"AUTH_HEADER_NAME", "HTTP_X_JWT_TOKEN"},
                                       {"AUTH_HEADER_TYPES", {"JWT"}},
                                       {"USER_ID_FIELD", "username"},
                                       {"JTI_CLAIM", nullptr},
                                       {"ACCESS_TOKEN_LIFETIME", 300}});
    CHECK(s.header == "x-jwt-token");
    CHECK_FALSE(s.user_by_id);
    CHECK_FALSE(s.jti_claim);
    CHECK_THROWS_AS(parse({{"ALGORITHM", "none"}}), authpolicy::Error);
    CHECK_THROWS_AS(parse({{"ALGORITHM", "RS256"}}), authpolicy::Error);  // no VERIFYING_KEY
    CHECK_THROWS_AS(parse({{"SIGNING_KEY", "-----BEGIN PUBLIC KEY-----\nabc"}}), authpolicy::Error);
    CHECK_THROWS_AS(parse({{"AUTH_TOKEN_CLASS", "x"}}), authpolicy::Error);  // removed setting
    CHECK_THROWS_AS(parse({{"JWK_URL", "https://x"}}), authpolicy::Error);
    CHECK_THROWS_AS(parse({{"AUTH_TOKEN_CLASSES", {"rest_framework_simplejwt.tokens.RefreshToken"}}}),
                    authpolicy::Error);
    CHECK_THROWS_AS(parse({{"NOPE", 1}}), authpolicy::Error);
    CHECK_THROWS_AS(parse_simplejwt_settings(nullptr, std::nullopt), authpolicy::Error);  // HS256 without a key
}

TEST_CASE("DOT, knox and api-key settings blocks") {
    const DotSettings dot = parse_dot_settings(
        {{"READ_SCOPE", "r"}, {"ERROR_RESPONSE_WITH_SCOPES", true}, {"ACCESS_TOKEN_EXPIRE_SECONDS", 60}});
    CHECK(dot.read_scope == "r");
    CHECK(dot.write_scope == "write");
    CHECK(dot.error_response_with_scopes);
    CHECK_THROWS_AS(parse_dot_settings({{"RESOURCE_SERVER_INTROSPECTION_URL", "https://as"}}), authpolicy::Error);
    CHECK_THROWS_AS(parse_dot_settings({{"READ_SCOPE", "a b"}}), authpolicy::Error);
    CHECK_THROWS_AS(parse_dot_settings({{"WHAT", 1}}), authpolicy::Error);
    CHECK(parse_knox_settings({{"AUTH_HEADER_PREFIX", "Knox"}, {"TOKEN_TTL", nullptr}}).auth_header_prefix == "Knox");
    CHECK_THROWS_AS(parse_knox_settings({{"AUTO_REFRESH", true}}), authpolicy::Error);
    CHECK_THROWS_AS(parse_knox_settings({{"SECURE_HASH_ALGORITHM", "hashlib.md5"}}), authpolicy::Error);
    CHECK(parse_api_key_header(json("HTTP_X_API_KEY")) == std::string("x-api-key"));
    CHECK_FALSE(parse_api_key_header(json(nullptr)));
    CHECK_THROWS_AS(parse_api_key_header(json("X_API_KEY")), authpolicy::Error);
}
