// HTTP for keys, discovery and introspection, through libcurl: HTTPS with certificate
// verification (plain http only to loopback, only when allowed), no proxy unless configured
// (the environment's *_proxy variables are never taken), no redirect to another origin,
// connect and total timeouts, a size cap, and JSON answers only.
#pragma once

#include <cstddef>
#include <optional>
#include <string>

namespace authpolicy::keys {

struct HttpOptions {
    bool allow_insecure_http = false;  // http:// to 127.0.0.1, ::1 or localhost (tests)
    std::string ca_file;               // PEM bundle; "" = the system's
    std::string proxy;                 // "" = none (never from the environment)
    double connect_timeout = 3;        // seconds
    double timeout = 5;                // seconds, the whole exchange
    size_t max_bytes = 1u << 20;       // response body cap

    bool operator==(const HttpOptions&) const = default;
};

struct HttpRequest {
    std::string url;
    std::string if_none_match;              // an ETag from a previous answer
    std::string if_modified_since;          // a Last-Modified from a previous answer
    std::optional<std::string> form_body;   // POST application/x-www-form-urlencoded
    std::optional<std::string> basic_user;  // HTTP Basic (RFC 7617), already form-encoded
    std::optional<std::string> basic_password;
};

struct HttpResponse {
    long status = 0;
    std::string body;
    std::string etag, last_modified, cache_control, content_type;
};

// Why a URL may not be fetched with these options, or nullopt when it may.
std::optional<std::string> url_problem(const std::string& url, bool allow_insecure_http);
// The URL as shown in errors and logs: scheme, host, port and path; never userinfo or query.
std::string url_for_log(const std::string& url);
// RFC 3986 unreserved characters kept, everything else %XX (for form bodies and Basic).
std::string form_encode(std::string_view s);

// Performs one exchange. Throws Error(Store) on a transport failure, a timeout, a body over the
// cap, a redirect to another origin, or a 200 that is not JSON; other statuses are returned.
HttpResponse http_fetch(const HttpRequest& request, const HttpOptions& options);

}  // namespace authpolicy::keys
