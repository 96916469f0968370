// Decision and user accessors: infallible getters over borrowed data.
#include "handles.h"

extern "C" {

void authp_decision_free(authp_decision* d) {
    delete d;
}
int authp_decision_allowed(const authp_decision* d) {
    return d && d->decision.allowed;
}
int authp_decision_status(const authp_decision* d) {
    return d ? d->decision.status : 0;
}
const char* authp_decision_code(const authp_decision* d) {
    return d && !d->decision.code.empty() ? d->decision.code.c_str() : nullptr;
}
const char* authp_decision_detail(const authp_decision* d) {
    return d && !d->decision.detail.empty() ? d->decision.detail.c_str() : nullptr;
}
size_t authp_decision_header_count(const authp_decision* d) {
    return d ? d->decision.headers.size() : 0;
}
int authp_decision_header(const authp_decision* d, size_t index, const char** name, const char** value) {
    if (!d) return authp_capi::misuse("NULL decision");
    if (index >= d->decision.headers.size()) return AUTHP_ENOTFOUND;
    if (name) *name = d->decision.headers[index].first.c_str();
    if (value) *value = d->decision.headers[index].second.c_str();
    return AUTHP_OK;
}
const authp_user* authp_decision_user(const authp_decision* d) {
    return d && d->decision.user ? &d->user_view : nullptr;
}
const char* authp_decision_auth_json(const authp_decision* d) {
    return d && d->decision.auth ? d->decision.auth->c_str() : nullptr;
}
const char* authp_decision_authenticator(const authp_decision* d) {
    return d && !d->decision.authenticator.empty() ? d->decision.authenticator.c_str() : nullptr;
}
const char* authp_decision_to_json(const authp_decision* d, size_t* len) {
    if (!d) {
        if (len) *len = 0;
        return nullptr;
    }
    try {
        if (d->json.empty()) d->json = d->decision.to_json();
    } catch (...) {
        d->json.clear();
    }
    if (len) *len = d->json.size();
    return d->json.c_str();
}

int authp_decision_body_json(const char** out, size_t* len, const authp_decision* d) {
    if (len) *len = 0;
    if (!out) return authp_capi::misuse("NULL out");
    *out = nullptr;
    if (!d) return authp_capi::misuse("NULL decision");
    if (d->decision.allowed) return AUTHP_ENOTFOUND;
    try {
        if (d->body.empty()) d->body = d->decision.body_json();
    } catch (...) {
        return authp_capi::misuse("the decision body could not be rendered");
    }
    *out = d->body.c_str();
    if (len) *len = d->body.size();
    return AUTHP_OK;
}

int authp_user_has_id(const authp_user* u) {
    return u && u->user && u->user->id.has_value();
}
int64_t authp_user_id(const authp_user* u) {
    return u && u->user && u->user->id ? *u->user->id : 0;
}
const char* authp_user_username(const authp_user* u, size_t* len) {
    if (!u || !u->user) {
        if (len) *len = 0;
        return "";
    }
    if (len) *len = u->user->username.size();
    return u->user->username.c_str();
}
int authp_user_is_authenticated(const authp_user* u) {
    return u && u->user && u->user->is_authenticated;
}
int authp_user_is_active(const authp_user* u) {
    return u && u->user && u->user->is_active;
}
int authp_user_is_staff(const authp_user* u) {
    return u && u->user && u->user->is_staff;
}
int authp_user_is_superuser(const authp_user* u) {
    return u && u->user && u->user->is_superuser;
}
const char* authp_user_attributes_json(const authp_user* u) {
    return u && u->user ? u->user->attributes_json.c_str() : "{}";
}
const char* authp_user_to_json(const authp_user* u) {
    if (!u || !u->user) return "null";
    try {
        if (u->json.empty()) u->json = u->user->to_json();
    } catch (...) {
        return "null";
    }
    return u->json.c_str();
}

}  // extern "C"
