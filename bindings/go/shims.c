#include <string.h>

#include "_cgo_export.h"
#include "shims.h"

const char goauthp_empty[1] = {0};

/* The Go call (Decide, a lazy request read) whose callbacks run on this thread. */
static __thread uintptr_t current_call;

static void free_payload(void* payload) {
    goauthpFreeHandle((uintptr_t)payload);
}

static int lookup_tramp(authp_user_builder* out, authp_lookup_kind kind, const char* username, size_t len, int64_t id,
                        void* payload) {
    return goauthpUserLookup(out, (int)kind, (char*)username, len, id, (uintptr_t)payload, current_call);
}

static int verify_tramp(int* matches, const authp_user* user, const char* password, size_t len, void* payload) {
    return goauthpPasswordVerify(matches, (authp_user*)user, (char*)password, len, (uintptr_t)payload, current_call);
}

static double clock_tramp(void* payload) {
    return goauthpClock((uintptr_t)payload);
}

static void log_tramp(authp_log_level level, const char* message, size_t len, void* payload) {
    goauthpLog((int)level, (char*)message, len, (uintptr_t)payload);
}

static int authenticate_tramp(authp_authn_ctx* ctx, const authp_request* req, void* payload) {
    return goauthpAuthenticate(ctx, (authp_request*)req, (uintptr_t)payload, current_call);
}

static int challenge_tramp(authp_authn_ctx* ctx, const authp_request* req, void* payload) {
    return goauthpChallenge(ctx, (authp_request*)req, (uintptr_t)payload, current_call);
}

int goauthp_set_user_lookup(authp_config* cfg, uintptr_t handle) {
    return authp_config_set_user_lookup(cfg, lookup_tramp, (void*)handle, free_payload);
}

int goauthp_set_password_verifier(authp_config* cfg, uintptr_t handle) {
    return authp_config_set_password_verifier(cfg, verify_tramp, (void*)handle, free_payload);
}

int goauthp_set_clock(authp_config* cfg, uintptr_t handle) {
    return authp_config_set_clock(cfg, clock_tramp, (void*)handle, free_payload);
}

int goauthp_set_logger(authp_config* cfg, uintptr_t handle) {
    if (handle == 0) return authp_config_set_logger(cfg, NULL, NULL, NULL);
    return authp_config_set_logger(cfg, log_tramp, (void*)handle, free_payload);
}

int goauthp_add_authenticator(authp_config* cfg, const char* name, uintptr_t handle, int with_challenge) {
    authp_authenticator vtable = AUTHP_AUTHENTICATOR_INIT;
    int rc = authp_authenticator_init(&vtable, AUTHP_AUTHENTICATOR_VERSION);
    if (rc != AUTHP_OK) return rc;
    vtable.authenticate = authenticate_tramp;
    vtable.challenge = with_challenge ? challenge_tramp : NULL;
    return authp_config_add_authenticator(cfg, name, &vtable, (void*)handle, free_payload);
}

char* goauthp_error_copy(void) {
    const char* m = authp_error_last();
    return m && *m ? strdup(m) : NULL;
}

int goauthp_evaluate(authp_decision** out, const authp_engine* engine, authp_request* req, uintptr_t call, char** msg) {
    uintptr_t prev = current_call;
    current_call = call;
    int rc = authp_engine_evaluate(out, engine, req);
    current_call = prev;
    *msg = rc == AUTHP_OK ? NULL : goauthp_error_copy();
    return rc;
}

int goauthp_request_call(int which, authp_request* req, uintptr_t call, const authp_user** user, const char** text,
                         char** owned, char** msg) {
    uintptr_t prev = current_call;
    current_call = call;
    int rc;
    switch (which) {
        case 0: rc = authp_request_user(user, req); break;
        case 1: rc = authp_request_auth_json(text, req); break;
        case 2: rc = authp_request_authenticate(req); break;
        default: rc = authp_request_challenge(owned, req); break;
    }
    current_call = prev;
    *msg = rc == AUTHP_OK ? NULL : goauthp_error_copy();
    return rc;
}

void goauthp_read_decision(const authp_decision* d, goauthp_decision_view* v) {
    memset(v, 0, sizeof *v);
    v->allowed = authp_decision_allowed(d);
    v->status = authp_decision_status(d);
    if (!v->allowed) {
        v->code = authp_decision_code(d);
        v->detail = authp_decision_detail(d);
        v->header_count = authp_decision_header_count(d);
    }
    v->authenticator = authp_decision_authenticator(d);
    v->auth_json = authp_decision_auth_json(d);
    const authp_user* u = authp_decision_user(d);
    if (u) {
        v->has_user = 1;
        v->user_authenticated = authp_user_is_authenticated(u);
        v->user_has_id = authp_user_has_id(u);
        v->user_id = v->user_has_id ? authp_user_id(u) : 0;
        v->username = authp_user_username(u, &v->username_len);
        v->user_active = authp_user_is_active(u);
        v->user_staff = authp_user_is_staff(u);
        v->user_superuser = authp_user_is_superuser(u);
        v->user_attributes = authp_user_attributes_json(u);
    }
}

static uint32_t le32(const char* p) {
    const unsigned char* u = (const unsigned char*)p;
    return (uint32_t)u[0] | (uint32_t)u[1] << 8 | (uint32_t)u[2] << 16 | (uint32_t)u[3] << 24;
}

int goauthp_fill_request(authp_request* req, const char* method, size_t method_len, const char* path, size_t path_len,
                         const char* view, size_t view_len, const char* addr, size_t addr_len, const char* user,
                         size_t user_len, int secure, const char* headers, size_t headers_len) {
    int rc;
    authp_request_reset(req);
    if ((rc = authp_request_set_method(req, method, method_len)) != AUTHP_OK) return rc;
    if ((rc = authp_request_set_path(req, path, path_len)) != AUTHP_OK) return rc;
    if (view_len && (rc = authp_request_set_view(req, view, view_len)) != AUTHP_OK) return rc;
    if (addr_len && (rc = authp_request_set_remote_addr(req, addr, addr_len)) != AUTHP_OK) return rc;
    if (user_len && (rc = authp_request_set_remote_user(req, user, user_len)) != AUTHP_OK) return rc;
    if (secure && (rc = authp_request_set_secure(req, 1)) != AUTHP_OK) return rc;
    size_t at = 0;
    while (at + 4 <= headers_len) {
        uint32_t nl = le32(headers + at);
        at += 4;
        if (at + nl + 4 > headers_len) return AUTHP_EINVALID;
        const char* name = headers + at;
        at += nl;
        uint32_t vl = le32(headers + at);
        at += 4;
        if (at + vl > headers_len) return AUTHP_EINVALID;
        if ((rc = authp_request_add_header(req, name, nl, headers + at, vl)) != AUTHP_OK) return rc;
        at += vl;
    }
    return AUTHP_OK;
}
