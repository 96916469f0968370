#include "core/keys/introspection_client.h"

#include "core/common/error.h"
#include "core/jose/strict_json.h"
#include "core/keys/discovery.h"

namespace authpolicy::keys {

std::string checked_introspection_answer(std::string_view body) {
    if (!jose::parse_strict_object(body))
        throw Error(ErrorCode::Store, "token introspection gave an answer that is not one strict JSON object");
    return std::string(body);
}

IntrospectionClient::IntrospectionClient(IntrospectionSettings settings, bool fetch_at_start)
    : settings_(std::move(settings)), endpoint_(settings_.endpoint) {
    if (endpoint_.empty() && fetch_at_start) {
        try {
            (void)endpoint();
        } catch (const Error&) {
            // The server may come up later: decisions answer 503 until discovery succeeds.
        }
    }
}

std::string IntrospectionClient::endpoint() const {
    std::lock_guard lock(mutex_);
    if (!endpoint_.empty()) return endpoint_;
    const ServerMetadata m = discover(settings_.issuer, settings_.http);
    if (m.introspection_endpoint.empty())
        throw Error(ErrorCode::Store,
                    "the metadata of " + url_for_log(settings_.issuer) + " has no introspection_endpoint");
    endpoint_ = m.introspection_endpoint;
    return endpoint_;
}

std::string IntrospectionClient::introspect(std::string_view token) const {
    HttpRequest req;
    req.url = endpoint();
    std::string body = "token=" + form_encode(token);
    if (!settings_.token_type_hint.empty()) body += "&token_type_hint=" + form_encode(settings_.token_type_hint);
    if (settings_.client_secret_post) {
        body +=
            "&client_id=" + form_encode(settings_.client_id) + "&client_secret=" + form_encode(settings_.client_secret);
    } else {
        // RFC 6749 §2.3.1: both are form-encoded before they go into the Basic credentials.
        req.basic_user = form_encode(settings_.client_id);
        req.basic_password = form_encode(settings_.client_secret);
    }
    req.form_body = std::move(body);
    const HttpResponse r = http_fetch(req, settings_.http);
    if (r.status != 200)
        throw Error(ErrorCode::Store,
                    "token introspection at " + url_for_log(req.url) + " answered " + std::to_string(r.status));
    return checked_introspection_answer(r.body);
}

}  // namespace authpolicy::keys
