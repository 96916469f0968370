// `authpolicy serve`'s request interpretation (server/forward_auth.cc, server/route_table.cc,
// compiled in as the server compiles them): the forwarded headers of a /auth request → a
// ForwardedRequest → the normalised path → the route table.
// Input: line 1 the /auth request's method, then "name: value" header lines (X-Forwarded-Uri, …).
// Oracles: a mapped request has a path starting with '/' and no query; normalisation is idempotent
// and leaves no "//", "/./" or "/../"; routing never throws; identity values carry no CR/LF/NUL.
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "fuzz_support.h"
#include "server/forward_auth.h"
#include "server/route_table.h"

namespace {

using authp_fuzz::require;
namespace srv = authpolicy::server;

const srv::RouteTable& routes() {
    static const srv::RouteTable t = srv::RouteTable::from_json(nlohmann::json::parse(R"([
      {"path": "/admin/", "view": "admin"},
      {"path": "/users/*/keys", "match": "glob", "view": "keys"},
      {"path": "/health", "match": "exact", "methods": ["GET", "HEAD"], "view": "public"},
      {"path": "/", "host": "internal.example", "view": "internal"}
    ])"));
    return t;
}

bool contains(const std::string& s, const char* needle) {
    return s.find(needle) != std::string::npos;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    size_t pos = text.find('\n');
    const std::string method = text.substr(0, pos);
    srv::HeaderList headers;
    while (pos != std::string::npos && headers.size() < 64) {
        const size_t start = pos + 1;
        pos = text.find('\n', start);
        const std::string line = text.substr(start, pos == std::string::npos ? std::string::npos : pos - start);
        const size_t colon = line.find(':');
        if (colon == std::string::npos) continue;
        headers.emplace_back(line.substr(0, colon),
                             line.substr(colon + 1 + (colon + 1 < line.size() && line[colon + 1] == ' ')));
    }
    std::string error;
    const auto fr = srv::forward_auth_request(method, headers, "127.0.0.1", &error);
    if (!fr) {
        require(!error.empty(), "a refused request says why");
        return 0;
    }
    require(!fr->path.empty() && fr->path[0] == '/', "the path starts with '/'", fr->path);
    require(fr->path.find_first_of("?#") == std::string::npos, "the query never reaches routing", fr->path);
    const std::string p = srv::normalize_path(fr->path);
    require(!p.empty() && p[0] == '/', "a normalised path starts with '/'", p);
    require(srv::normalize_path(p) == p, "normalisation is idempotent", p);
    require(!contains(p, "//") && !contains(p, "/./") && !contains(p, "/../"), "no empty or dot segments", p);
    const auto view = routes().view_for(fr->method, fr->host, p);
    if (view && *view == "admin") require(p.rfind("/admin/", 0) == 0, "the admin route only takes /admin/…", p);
    const std::string safe = srv::header_safe(fr->method + fr->host + p);
    require(safe.find_first_of(std::string("\r\n\0", 3)) == std::string::npos, "identity values lose CR/LF/NUL");
    return 0;
}
