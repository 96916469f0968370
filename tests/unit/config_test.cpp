#include "core/engine/config.h"

#include <doctest/doctest.h>

#include "core/common/error.h"
#include "core/engine/engine.h"

using authpolicy::Error;
using authpolicy::parse_config_text;

namespace {
std::string error_of(const std::string& json) {
    try {
        parse_config_text(json, "");
    } catch (const Error& e) {
        return e.what();
    }
    return "<no error>";
}
}  // namespace

TEST_CASE("the documented example configuration parses") {
    const auto c = parse_config_text(R"({
      "DATABASE": "authpolicy.sqlite3",
      "DEFAULT_AUTHENTICATION_CLASSES": ["BasicAuthentication", {"class": "TokenAuthentication", "keyword": ["Token", "Bearer"]}],
      "DEFAULT_PERMISSION_CLASSES": ["IsAuthenticated"],
      "UNAUTHENTICATED_USER": "anonymous",
      "UNAUTHENTICATED_TOKEN": null,
      "VIEWS": {
        "public": {"permission_classes": ["AllowAny"]},
        "admin":  {"authentication_classes": ["TokenAuthentication"], "permission_classes": ["IsAdminUser"]}
      }})",
                                     "/etc/app");
    CHECK(c.database == "/etc/app/authpolicy.sqlite3");
    CHECK(c.default_authentication.size() == 2);
    CHECK(c.default_authentication[1].class_name == "TokenAuthentication");
    CHECK(c.views.size() == 2);
    CHECK(c.views.at("admin").authentication_classes->size() == 1);
    CHECK_FALSE(c.views.at("public").authentication_classes.has_value());
}

TEST_CASE("DRF dotted names are aliases") {
    const auto c = parse_config_text(
        R"({"DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.BasicAuthentication"],
            "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"]})",
        "");
    CHECK(c.default_authentication[0].class_name == "BasicAuthentication");
}

TEST_CASE("absolute paths and :memory: are kept as they are") {
    CHECK(parse_config_text(R"({"DATABASE": "/var/lib/a.db"})", "/etc").database == "/var/lib/a.db");
    CHECK(parse_config_text(R"({"DATABASE": ":memory:"})", "/etc").database == ":memory:");
}

TEST_CASE("errors name the key and where it is") {
    CHECK(error_of(R"({"BOGUS": 1})") == "configuration error at $.BOGUS: unknown key");
    CHECK(error_of(R"({"VIEWS": {"admin": {"bogus": 1}}})").find("$.VIEWS.admin.bogus") != std::string::npos);
    CHECK(error_of(R"({"DEFAULT_PERMISSION_CLASSES": ["IsWizard"]})") ==
          "configuration error at $.DEFAULT_PERMISSION_CLASSES[0]: unknown permission class 'IsWizard'");
    CHECK(error_of(R"({"DEFAULT_PERMISSION_CLASSES": "IsAuthenticated"})") ==
          "configuration error at $.DEFAULT_PERMISSION_CLASSES: expected a list of permission classes, got string");
    CHECK(error_of(R"({"PERFORM_AUTHENTICATION": "yes"})").find("expected true or false") != std::string::npos);
    CHECK(error_of(R"({"CACHE": {"TTL": -1}})").find("$.CACHE.TTL") != std::string::npos);
    CHECK(error_of(R"({"UNAUTHENTICATED_USER": "root"})").find("$.UNAUTHENTICATED_USER") != std::string::npos);
    CHECK(error_of(R"({"DEFAULT_PERMISSION_CLASSES": [{"and": []}]})").find("$.DEFAULT_PERMISSION_CLASSES[0].and") !=
          std::string::npos);
    CHECK(error_of(R"([1, 2])") == "configuration error at $: expected a JSON object, got array");
}

TEST_CASE("malformed JSON is reported by position, never by quoting the input") {
    const std::string e = error_of(R"({"SECRET": "hunter2)");
    CHECK(e.find("not valid JSON") != std::string::npos);
    CHECK(e.find("hunter2") == std::string::npos);
    CHECK(error_of(std::string(100, '[') + std::string(100, ']')).find("nested deeper than 64") != std::string::npos);
}

TEST_CASE("composition objects build permissions") {
    const auto c = parse_config_text(
        R"({"DEFAULT_PERMISSION_CLASSES": [{"or": ["IsAdminUser", {"and": ["IsAuthenticated", {"not": "AllowAny"}]}]},
                                           {"class": "IsAuthenticated", "message": "Log in first.", "code": "login"}]})",
        "");
    CHECK(c.default_permissions.size() == 2);
    CHECK(c.default_permissions[1]->message() == "Log in first.");
}

TEST_CASE("finding 22.16: a Basic realm with NUL, VT or other control characters is refused at configuration") {
    for (const std::string& realm : {std::string("a\0b", 3), std::string("a\vb"), std::string("a\x1b"),
                                     std::string("a\x7f"), std::string("a\"b")}) {
        nlohmann::json j = {{"DEFAULT_AUTHENTICATION_CLASSES", {{{"class", "BasicAuthentication"}, {"realm", realm}}}}};
        CHECK_THROWS_AS(authpolicy::Engine(authpolicy::parse_config(j, ""), {}), authpolicy::Error);
    }
}

TEST_CASE("fuzzing rule: configuration messages show key names escaped and capped, and never values") {
    const std::string long_key(200, 'k');
    for (const std::string& text :
         {std::string(R"({"a\u001bb\nc": 1})"), R"({")" + long_key + R"(": 1})",
          std::string(R"({"DEFAULT_AUTHENTICATION_CLASSES": ["Nope\u0007"]})"),
          std::string(
              R"({"DEFAULT_AUTHENTICATION_CLASSES": [{"class": "JWTAuthentication", "secret": 7, "issuer": "x"}]})"),
          std::string(R"({"CACHE": {"last read": 1}})")}) {
        CAPTURE(text);
        try {
            authpolicy::Engine e(authpolicy::parse_config_text(text, ""), {});
            FAIL("accepted");
        } catch (const authpolicy::Error& err) {
            const std::string m = err.what();
            CAPTURE(m);
            for (unsigned char c : m) CHECK((c >= 0x20 && c != 0x7f));
            CHECK(m.find(std::string(65, 'k')) == std::string::npos);
            CHECK(m.size() < 600);
        }
    }
    try {
        (void)authpolicy::parse_config_text(R"({"a\u001bb": 1})", "");
    } catch (const authpolicy::Error& err) {
        CHECK(std::string(err.what()) == "configuration error at $.a\\x1bb: unknown key");
    }
}

TEST_CASE("fuzzing rule: an out-of-range number is refused without quoting it (found by fuzz_config)") {
    try {
        (void)authpolicy::parse_config_text(R"({"CACHE": {"TTL": 555555.5556666e66666656666}})", "");
        FAIL("accepted");
    } catch (const authpolicy::Error& e) {
        CHECK(e.code() == authpolicy::ErrorCode::Config);
        CHECK(std::string(e.what()) == "configuration is not valid JSON: JSON number out of range");
    }
}
