// ROUTES: first match wins; prefix / exact / glob; methods and host; the query never takes part.
#include <doctest/doctest.h>

#include <stdexcept>

#include <nlohmann/json.hpp>

#include "server/route_table.h"

using authpolicy::server::normalize_host;
using authpolicy::server::normalize_path;
using authpolicy::server::RouteTable;
using authpolicy::server::strip_query;

namespace {

RouteTable table(const char* json) {
    return RouteTable::from_json(nlohmann::json::parse(json));
}

std::string error_of(const char* json) {
    try {
        table(json);
    } catch (const std::invalid_argument& e) {
        return e.what();
    }
    return "";
}

}  // namespace

TEST_CASE("routes: first match wins, no match is the default policy") {
    const RouteTable t = table(R"([
      {"path": "/api/admin/", "view": "admin"},
      {"path": "/api/", "view": "api"},
      {"path": "/health", "match": "exact", "view": "public"}
    ])");
    CHECK(t.view_for("GET", "x", "/api/admin/users") == "admin");
    CHECK(t.view_for("GET", "x", "/api/admin/") == "admin");
    CHECK(t.view_for("GET", "x", "/api/admin") == "api");  // a prefix is a string prefix
    CHECK(t.view_for("GET", "x", "/api/things") == "api");
    CHECK(t.view_for("GET", "x", "/health") == "public");
    CHECK_FALSE(t.view_for("GET", "x", "/health/x").has_value());
    CHECK_FALSE(t.view_for("GET", "x", "/other").has_value());
    CHECK_FALSE(RouteTable().view_for("GET", "x", "/api/").has_value());
}

TEST_CASE("routes: glob segments do not cross '/'") {
    const RouteTable t = table(R"([{"path": "/users/*/keys", "match": "glob", "view": "keys"},
                                   {"path": "/files/*.txt", "match": "glob", "view": "txt"}])");
    CHECK(t.view_for("GET", "", "/users/alice/keys") == "keys");
    CHECK_FALSE(t.view_for("GET", "", "/users/a/b/keys").has_value());
    CHECK(t.view_for("GET", "", "/files/a.txt") == "txt");
    CHECK_FALSE(t.view_for("GET", "", "/files/dir/a.txt").has_value());
}

TEST_CASE("routes: methods (any case) and host (no port, any case) narrow a route") {
    const RouteTable t = table(R"([
      {"path": "/", "methods": ["post", "DELETE"], "view": "write"},
      {"path": "/", "host": "Admin.Example", "view": "admin"},
      {"path": "/", "view": "read"}
    ])");
    CHECK(t.view_for("post", "api.example", "/x") == "write");
    CHECK(t.view_for("DELETE", "api.example", "/x") == "write");
    CHECK(t.view_for("GET", "ADMIN.example:8443", "/x") == "admin");
    CHECK(t.view_for("GET", "admin.example.", "/x") == "admin");
    CHECK(t.view_for("GET", "api.example", "/x") == "read");
}

TEST_CASE("routes: the query string and fragment never take part") {
    CHECK(strip_query("/a/b?x=/api/admin/") == "/a/b");
    CHECK(strip_query("/a#frag") == "/a");
    CHECK(strip_query("/a") == "/a");
    const RouteTable t = table(R"([{"path": "/public", "match": "exact", "view": "public"}])");
    CHECK(t.view_for("GET", "", strip_query("/public?admin=1")) == "public");
    CHECK_FALSE(t.view_for("GET", "", strip_query("/private?/public")).has_value());
}

TEST_CASE("routes: host normalisation") {
    CHECK(normalize_host("API.example:8443") == "api.example");
    CHECK(normalize_host("[::1]:80") == "[::1]");
    CHECK(normalize_host("[::1]") == "[::1]");
    CHECK(normalize_host("") == "");
}

TEST_CASE("routes: errors name the key") {
    CHECK(error_of(R"({})") == "$.ROUTES: expected a list of routes");
    CHECK(error_of(R"([1])").rfind("$.ROUTES[0]: a route is an object", 0) == 0);
    CHECK(error_of(R"([{"view": "a"}])") == "$.ROUTES[0]: a route needs a \"path\"");
    CHECK(error_of(R"([{"path": "api"}])") == "$.ROUTES[0].path: a path starts with '/'");
    CHECK(error_of(R"([{"path": "/a?b"}])") == "$.ROUTES[0].path: a route path has no query or fragment");
    CHECK(error_of(R"([{"path": "/", "match": "regex"}])") ==
          "$.ROUTES[0].match: expected \"prefix\", \"exact\" or \"glob\"");
    CHECK(error_of(R"([{"path": "/", "methods": "GET"}])") == "$.ROUTES[0].methods: expected a list of method names");
    CHECK(error_of(R"([{"path": "/", "methods": ["G T"]}])") == "$.ROUTES[0].methods[0]: not an HTTP method name");
    CHECK(error_of(R"([{"path": "/"}, {"path": "/", "bogus": 1}])").rfind("$.ROUTES[1].bogus: unknown key", 0) == 0);
    CHECK(error_of(R"([{"path": "/", "view": 3}])") == "$.ROUTES[0].view: expected a string");
}

TEST_CASE("routes: the path is normalised so the proxy and the backend agree on the route") {
    CHECK(normalize_path("/public/../admin/x") == "/admin/x");
    CHECK(normalize_path("/%61dmin/") == "/admin/");
    CHECK(normalize_path("//admin//x") == "/admin/x");
    CHECK(normalize_path("/a/./b/.") == "/a/b/");
    CHECK(normalize_path("/a/b/..") == "/a/");
    CHECK(normalize_path("/../../x") == "/x");
    CHECK(normalize_path("/") == "/");
    CHECK(normalize_path("/a%2Fb") == "/a%2Fb");        // an encoded '/' is not a separator
    CHECK(normalize_path("/a%2fb%00") == "/a%2Fb%00");  // kept encoded, upper-case
    CHECK(normalize_path("/%2e%2e/admin") == "/admin");
    CHECK(normalize_path("/a%zz") == "/a%25zz");
    CHECK(normalize_path("/a%4") == "/a%254");
    CHECK(normalize_path("/%%414") == "/%25A4");
    CHECK(normalize_path(normalize_path("/%%414")) == "/%25A4");
    const RouteTable t = table(R"([{"path": "/public/", "view": "public"}, {"path": "/admin/", "view": "admin"}])");
    CHECK(t.view_for("GET", "", normalize_path("/public/../admin/users")) == "admin");
}
