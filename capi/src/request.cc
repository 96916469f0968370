// Request handles: the host's view of one HTTP request, with lazy authentication.
#include "handles.h"

using authp_capi::guard;
using authp_capi::view_of;
using authpolicy::Error;
using authpolicy::ErrorCode;

namespace {

const char* out_text(std::string_view s, size_t* len) {
    if (len) *len = s.size();
    return s.data();
}

template <class Setter>
int set_field(authp_request* req, const char* p, size_t len, Setter setter) {
    if (!req || (!p && len)) return authp_capi::misuse("NULL request or value");
    return guard([&]() -> int {
        setter(req->request, view_of(p, len));
        return AUTHP_OK;
    });
}

// Runs authentication once, mapping machinery failures to error codes.
int ensure_authenticated(authp_request* req) {
    return guard([&]() -> int {
        const authp_capi::Pinned engine(req->engine);
        authp_capi::adopt_policy(*req, *engine);
        const auto* policy = engine->policy_for(req->request.view());
        if (!policy) throw Error(ErrorCode::NotFound, "unknown view");
        engine->authenticate(req->request, *policy, req->state);
        req->user_view.user = req->state.user;
        req->user_view.json.clear();
        return AUTHP_OK;
    });
}

}  // namespace

extern "C" {

int authp_request_new(authp_request** out, const authp_engine* engine) {
    return guard([&]() -> int {
        if (!out || !engine) return authp_capi::misuse("NULL out or engine");
        auto* r = new authp_request();
        r->engine = engine;
        // Stamped now, so that the first evaluation does not reset a fresh request.
        r->engine_serial = engine->live->serial();
        r->request.set_host_handle(r);
        *out = r;
        return AUTHP_OK;
    });
}

void authp_request_free(authp_request* req) {
    delete req;
}

void authp_request_reset(authp_request* req) {
    if (!req) return;
    req->request.reset();
    req->state.reset();
    req->user_view = {};
    req->auth_json.clear();
}

int authp_request_set_method(authp_request* req, const char* p, size_t len) {
    return set_field(req, p, len, [](auto& r, auto v) { r.set_method(v); });
}
int authp_request_set_path(authp_request* req, const char* p, size_t len) {
    return set_field(req, p, len, [](auto& r, auto v) { r.set_path(v); });
}
int authp_request_set_view(authp_request* req, const char* p, size_t len) {
    return set_field(req, p, len, [](auto& r, auto v) { r.set_view(v); });
}
int authp_request_set_remote_addr(authp_request* req, const char* p, size_t len) {
    return set_field(req, p, len, [](auto& r, auto v) { r.set_remote_addr(v); });
}
int authp_request_set_remote_user(authp_request* req, const char* p, size_t len) {
    return set_field(req, p, len, [](auto& r, auto v) { r.set_remote_user(v); });
}
int authp_request_set_secure(authp_request* req, int secure) {
    if (!req) return authp_capi::misuse("NULL request");
    req->request.set_secure(secure != 0);
    return AUTHP_OK;
}

int authp_request_set_client_certificate(authp_request* req, const unsigned char* der, size_t len) {
    if (!req || (!der && len)) return authp_capi::misuse("NULL request or certificate");
    return guard([&]() -> int {
        req->request.set_client_certificate(len ? std::string_view(reinterpret_cast<const char*>(der), len)
                                                : std::string_view());
        return AUTHP_OK;
    });
}

int authp_request_add_header(authp_request* req, const char* name, size_t name_len, const char* value,
                             size_t value_len) {
    if (!req || (!name && name_len) || (!value && value_len)) return authp_capi::misuse("NULL request, name or value");
    return guard([&]() -> int {
        if (name_len == 0) throw Error(ErrorCode::Invalid, "empty header name");
        req->request.add_header(view_of(name, name_len), view_of(value, value_len));
        return AUTHP_OK;
    });
}

int authp_request_set_form_field(authp_request* req, const char* name, size_t name_len, const char* value,
                                 size_t value_len) {
    if (!req || (!name && name_len) || (!value && value_len)) return authp_capi::misuse("NULL request, name or value");
    return guard([&]() -> int {
        if (name_len == 0) throw Error(ErrorCode::Invalid, "empty form field name");
        req->request.set_form_field(view_of(name, name_len), view_of(value, value_len));
        return AUTHP_OK;
    });
}

const char* authp_request_method(const authp_request* req, size_t* len) {
    return out_text(req ? req->request.method() : "", len);
}
const char* authp_request_path(const authp_request* req, size_t* len) {
    return out_text(req ? req->request.path() : "", len);
}
const char* authp_request_view(const authp_request* req, size_t* len) {
    return out_text(req ? req->request.view() : "", len);
}
const char* authp_request_remote_addr(const authp_request* req, size_t* len) {
    return out_text(req ? req->request.remote_addr() : "", len);
}
const char* authp_request_remote_user(const authp_request* req, size_t* len) {
    return out_text(req ? req->request.remote_user() : "", len);
}
int authp_request_is_secure(const authp_request* req) {
    return req && req->request.secure();
}

int authp_request_header(const authp_request* req, const char* name, size_t name_len, const char** value,
                         size_t* value_len) {
    if (!req || (!name && name_len)) return authp_capi::misuse("NULL request or name");
    return guard([&]() -> int {
        const std::string* v = req->request.find_header(view_of(name, name_len));
        if (!v) return static_cast<int>(AUTHP_ENOTFOUND);
        if (value) *value = v->c_str();
        if (value_len) *value_len = v->size();
        return static_cast<int>(AUTHP_OK);
    });
}

int authp_request_authenticate(authp_request* req) {
    if (!req) return authp_capi::misuse("NULL request");
    return ensure_authenticated(req);
}

authp_auth_status authp_request_auth_status(const authp_request* req) {
    if (!req) return AUTHP_AUTH_NOT_RUN;
    switch (req->state.status) {
        case authpolicy::AuthState::Status::Authenticated: return AUTHP_AUTH_AUTHENTICATED;
        case authpolicy::AuthState::Status::Anonymous: return AUTHP_AUTH_ANONYMOUS;
        case authpolicy::AuthState::Status::Failed: return AUTHP_AUTH_FAILED;
        default: return AUTHP_AUTH_NOT_RUN;
    }
}

int authp_request_user(const authp_user** out, authp_request* req) {
    if (out) *out = nullptr;
    if (!out || !req) return authp_capi::misuse("NULL out or request");
    const int rc = ensure_authenticated(req);
    if (rc != AUTHP_OK) return rc;
    *out = req->state.user ? &req->user_view : nullptr;
    return AUTHP_OK;
}

int authp_request_auth_json(const char** out, authp_request* req) {
    if (out) *out = nullptr;
    if (!out || !req) return authp_capi::misuse("NULL out or request");
    const int rc = ensure_authenticated(req);
    if (rc != AUTHP_OK) return rc;
    if (req->state.auth) {
        req->auth_json = *req->state.auth;
        *out = req->auth_json.c_str();
    }
    return AUTHP_OK;
}

const char* authp_request_authenticator(const authp_request* req) {
    if (!req || req->state.status != authpolicy::AuthState::Status::Authenticated) return nullptr;
    return req->state.authenticator->name().data();
}

const char* authp_request_auth_failure(const authp_request* req) {
    if (!req || req->state.status != authpolicy::AuthState::Status::Failed) return nullptr;
    return req->state.failure_detail.c_str();
}

}  // extern "C"
