#include "server/grpc/check_translation.h"

#include <arpa/inet.h>

#include <string_view>

namespace authpolicy::server::ext_authz {
namespace {

using envoy::service::auth::v3::AttributeContext;
using envoy::service::auth::v3::CheckRequest;
using envoy::service::auth::v3::CheckResponse;

// RFC 9110 section 5.6.2: tchar.
bool is_token(std::string_view s) {
    if (s.empty()) return false;
    for (unsigned char c : s) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                        std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
        if (!ok) return false;
    }
    return true;
}

// A header name as Envoy sends it: a token, or a pseudo-header (":authority").
bool is_header_name(std::string_view s) {
    if (!s.empty() && s.front() == ':') s.remove_prefix(1);
    return is_token(s);
}

// RFC 9110 section 5.5: no CR, LF or NUL in a field value (obs-text and HTAB are allowed).
bool is_header_value(std::string_view s) {
    return s.find_first_of(std::string_view("\r\n\0", 3)) == s.npos;
}

bool is_ip_literal(const std::string& s) {
    unsigned char buf[16];
    return inet_pton(AF_INET, s.c_str(), buf) == 1 || inet_pton(AF_INET6, s.c_str(), buf) == 1;
}

bool fail(std::string* error, const char* why) {
    if (error) *error = why;
    return false;
}

// Adds one header; pseudo-headers describe the request line and are kept out of the list.
bool add_header(ForwardedRequest& out, const std::string& name, std::string_view value, std::string* error) {
    if (!is_header_name(name)) return fail(error, "a header name is not an HTTP token");
    if (!is_header_value(value)) return fail(error, "a header value contains CR, LF or NUL");
    if (name.front() == ':') {
        if (name == ":authority" && out.host.empty()) out.host = value;
        return true;
    }
    if (name.size() == 4 && (name == "host" || name == "Host") && out.host.empty()) out.host = value;
    out.headers.emplace_back(name, value);
    return true;
}

std::string_view header_value_text(const envoy::config::core::v3::HeaderValue& h) {
    return h.raw_value().empty() ? std::string_view(h.value()) : std::string_view(h.raw_value());
}

void add_option(google::protobuf::RepeatedPtrField<envoy::config::core::v3::HeaderValueOption>* list,
                const std::string& name, const std::string& value) {
    auto* option = list->Add();
    option->mutable_header()->set_key(name);
    option->mutable_header()->set_value(value);
    option->mutable_append()->set_value(false);  // replace, never append to, what the client sent
}

void deny(CheckResponse* out, RpcCode code, int http_status, const std::string& reason, const HeaderList& headers,
          const std::string& body) {
    out->Clear();
    out->mutable_status()->set_code(static_cast<int>(code));
    out->mutable_status()->set_message(reason);
    auto* denied = out->mutable_denied_response();
    denied->mutable_status()->set_code(static_cast<envoy::type::v3::StatusCode>(http_status));
    for (const auto& [name, value] : headers) add_option(denied->mutable_headers(), name, value);
    if (!body.empty()) add_option(denied->mutable_headers(), "content-type", "application/json");
    denied->set_body(body);
}

}  // namespace

std::optional<ForwardedRequest> forwarded_request_from_check(const CheckRequest& check, std::string* error) {
    if (!check.has_attributes() || !check.attributes().has_request() || !check.attributes().request().has_http()) {
        fail(error, "the CheckRequest has no attributes.request.http");
        return std::nullopt;
    }
    const AttributeContext& attributes = check.attributes();
    const AttributeContext::HttpRequest& http = attributes.request().http();

    ForwardedRequest out;
    out.front_end = "ext_authz_grpc";
    if (!is_token(http.method())) {
        fail(error, "the method is not an HTTP token");
        return std::nullopt;
    }
    out.method = http.method();
    // Envoy sends the request target (path and query); the query never takes part in a decision.
    std::string_view path = http.path();
    path = path.substr(0, path.find_first_of("?#"));
    if (path.empty() || path.front() != '/' || !is_header_value(path) ||
        path.find_first_of(" \t") != std::string_view::npos) {
        fail(error, "the path is not an origin-form request target");
        return std::nullopt;
    }
    out.path = path;
    if (!is_header_value(http.host())) {
        fail(error, "the host contains CR, LF or NUL");
        return std::nullopt;
    }
    out.host = http.host();
    out.secure = http.scheme() == "https";

    // encode_raw_headers sends header_map (one entry per header line) instead of the joined map.
    out.headers.reserve(static_cast<std::size_t>(http.headers_size() + http.header_map().headers_size()));
    for (const auto& [name, value] : http.headers()) {
        if (!add_header(out, name, value, error)) return std::nullopt;
    }
    for (const auto& h : http.header_map().headers()) {
        if (!add_header(out, h.key(), header_value_text(h), error)) return std::nullopt;
    }

    // The downstream peer Envoy saw: the client address as the throttles define it. A pipe or an
    // internal listener has no IP; the engine then sees no remote address.
    if (attributes.has_source() && attributes.source().address().has_socket_address()) {
        const std::string& ip = attributes.source().address().socket_address().address();
        if (!ip.empty() && !is_ip_literal(ip)) {
            fail(error, "the source address is not an IP literal");
            return std::nullopt;
        }
        out.remote_addr = ip;
    }
    return out;
}

RpcCode rpc_code_for(const ForwardedAnswer& answer) {
    if (answer.allowed) return RpcCode::ok;
    switch (answer.status) {
        case 400: return RpcCode::invalid_argument;
        case 401: return RpcCode::unauthenticated;
        case 403: return RpcCode::permission_denied;
        case 429: return RpcCode::resource_exhausted;
        default: return RpcCode::unavailable;
    }
}

void check_response_from_answer(const ForwardedAnswer& answer, CheckResponse* out) {
    if (!answer.allowed) {
        // A status outside 4xx/5xx cannot be a denial: answer it as the safe 503.
        const int status = answer.status >= 400 && answer.status <= 599 ? answer.status : 503;
        deny(out, rpc_code_for(answer), status, answer.code, answer.headers, answer.body);
        return;
    }
    out->Clear();
    out->mutable_status()->set_code(static_cast<int>(RpcCode::ok));
    auto* ok = out->mutable_ok_response();
    for (const auto& [name, value] : answer.headers) {
        // Envoy drops an empty header value; removing the header keeps a client-sent one out.
        if (value.empty()) {
            ok->add_headers_to_remove(name);
        } else {
            add_option(ok->mutable_headers(), name, value);
        }
    }
}

void check_response_malformed(CheckResponse* out) {
    deny(out, RpcCode::invalid_argument, 400, "parse_error", {}, R"({"detail":"Malformed request."})");
}

void check_response_overloaded(CheckResponse* out) {
    deny(out, RpcCode::unavailable, 503, "service_unavailable", {{"retry-after", "1"}},
         R"({"detail":"Authentication is temporarily unavailable."})");
}

}  // namespace authpolicy::server::ext_authz
