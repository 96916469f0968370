#include "core/keys/discovery.h"

#include "core/common/error.h"
#include "core/jose/strict_json.h"

namespace authpolicy::keys {
namespace {

[[noreturn]] void fail(const std::string& what) {
    throw Error(ErrorCode::Store, "authorization server metadata: " + what);
}

}  // namespace

std::vector<std::string> metadata_urls(const std::string& issuer) {
    std::string base = issuer;
    while (!base.empty() && base.back() == '/') base.pop_back();
    std::vector<std::string> urls{base + "/.well-known/openid-configuration"};
    // RFC 8414 §3.1: https://host/path → https://host/.well-known/oauth-authorization-server/path
    const size_t scheme = base.find("://");
    const size_t path = scheme == std::string::npos ? std::string::npos : base.find('/', scheme + 3);
    if (path == std::string::npos)
        urls.push_back(base + "/.well-known/oauth-authorization-server");
    else
        urls.push_back(base.substr(0, path) + "/.well-known/oauth-authorization-server" + base.substr(path));
    return urls;
}

ServerMetadata parse_server_metadata(std::string_view text, const std::string& expected_issuer,
                                     bool allow_insecure_http) {
    auto doc = jose::parse_strict_object(text);
    if (!doc) fail("the document is not one strict JSON object");
    ServerMetadata m;
    const auto string_member = [&](const char* name, std::string& out) {
        auto it = doc->find(name);
        if (it == doc->end() || it->is_null()) return;
        if (!it->is_string()) fail(std::string("\"") + name + "\" is not a string");
        out = it->get<std::string>();
    };
    string_member("issuer", m.issuer);
    // Exact comparison: no normalisation, no trailing-slash tolerance (mix-up attacks).
    if (m.issuer != expected_issuer) fail("the document names another issuer than the configured one");
    string_member("jwks_uri", m.jwks_uri);
    string_member("introspection_endpoint", m.introspection_endpoint);
    for (const std::string* url : {&m.jwks_uri, &m.introspection_endpoint}) {
        if (url->empty()) continue;
        if (auto problem = url_problem(*url, allow_insecure_http)) fail("a URL in the document: " + *problem);
    }
    return m;
}

ServerMetadata discover(const std::string& issuer, const HttpOptions& options) {
    std::string last;
    for (const std::string& url : metadata_urls(issuer)) {
        HttpRequest req;
        req.url = url;
        HttpResponse r;
        try {
            r = http_fetch(req, options);
        } catch (const Error& e) {
            last = e.what();
            continue;
        }
        if (r.status == 404 || r.status == 410) {
            last = url_for_log(url) + " answered " + std::to_string(r.status);
            continue;
        }
        if (r.status != 200) fail(url_for_log(url) + " answered " + std::to_string(r.status));
        ServerMetadata m = parse_server_metadata(r.body, issuer, options.allow_insecure_http);
        m.source = url;
        return m;
    }
    fail("no metadata document for " + url_for_log(issuer) + " (" + last + ")");
}

}  // namespace authpolicy::keys
