// ROUTES: which view's policy applies to a forwarded request. An ordered list; the first route
// whose path, methods and host all match wins; no match means the default policy (view "").
// The query string never takes part: callers pass the path with it already stripped.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace authpolicy::server {

enum class PathMatch { kPrefix, kExact, kGlob };

struct Route {
    std::string path;
    PathMatch match = PathMatch::kPrefix;
    std::vector<std::string> methods;  // upper-case; empty = any method
    std::string host;                  // lower-case, no port; empty = any host
    std::string view;                  // "" = the default policy
};

class RouteTable {
  public:
    RouteTable() = default;
    explicit RouteTable(std::vector<Route> routes) : routes_(std::move(routes)) {}

    // Parses the "ROUTES" value; throws std::invalid_argument naming the key ("$.ROUTES[2].match: …").
    static RouteTable from_json(const nlohmann::json& routes);

    // The view of the first matching route, or std::nullopt (the default policy). `host` may carry
    // a port and any case; `method` any case.
    std::optional<std::string> view_for(std::string_view method, std::string_view host, std::string_view path) const;

    const std::vector<Route>& routes() const { return routes_; }

  private:
    std::vector<Route> routes_;
};

// The path of a request target without its query string or fragment ("/a?b#c" → "/a").
std::string_view strip_query(std::string_view target);

// The path routes see, so that a proxy and the backend behind it cannot disagree on which route a
// request takes ("/public/../admin/", "/%61dmin/" and "//admin/" are all "/admin/"): percent-
// encoded octets are decoded (RFC 3986 §6.2.2.2; those for '/', '?', '#', '%', '\\' and control
// characters stay encoded, upper-case), runs of '/' collapse to one (nginx's merge_slashes), and
// dot segments are removed (RFC 3986 §5.2.4). Takes a path without its query.
std::string normalize_path(std::string_view path);

// A Host / :authority value without its port, lower-cased ("API.example:8443" → "api.example";
// "[::1]:80" → "[::1]").
std::string normalize_host(std::string_view host);

}  // namespace authpolicy::server
