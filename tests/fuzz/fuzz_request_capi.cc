// A whole request built through the C API's setters from fuzzer data (method, path, view, headers
// including Authorization, X-Forwarded-For and a RemoteUser header, remote address and user,
// secure flag), then evaluated against a policy with every built-in authenticator, permission
// composition and throttle; the request is reused through authp_request_reset.
// Input: a little program (FuzzedDataProvider): a sequence of setter calls and their arguments.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstdint>
#include <string>

#include "fuzz_support.h"

namespace {

using authp_fuzz::require;

constexpr const char* kPolicy = R"({
  "DEFAULT_AUTHENTICATION_CLASSES": ["BasicAuthentication", {"class": "TokenAuthentication", "keyword": ["Token", "Bearer"]}],
  "DEFAULT_PERMISSION_CLASSES": ["IsAuthenticatedOrReadOnly"],
  "PASSWORD_ITERATIONS": 1,
  "NUM_PROXIES": 1,
  "DEFAULT_THROTTLE_CLASSES": ["AnonRateThrottle", "UserRateThrottle"],
  "DEFAULT_THROTTLE_RATES": {"anon": "1000/min", "user": "1000/min", "burst": "3/sec", "gcra": "5/min"},
  "THROTTLE_BACKEND": {"TYPE": "memory", "MAX_KEYS": 1000},
  "VIEWS": {
    "admin": {"permission_classes": [{"or": ["IsAdminUser", {"not": "IsAuthenticated"}]}]},
    "remote": {"authentication_classes": [{"class": "RemoteUserAuthentication", "header": "X-Remote-User"},
                                          "RemoteUserAuthentication"],
               "permission_classes": ["IsAuthenticated"]},
    "lazy": {"perform_authentication": false, "permission_classes": ["AllowAny"],
             "throttle_classes": ["ScopedRateThrottle"], "throttle_scope": "burst"},
    "gcra": {"throttle_classes": [{"class": "GCRARateThrottle", "scope": "gcra"}]},
    "none": {"authentication_classes": [], "permission_classes": [{"and": ["IsAuthenticated", "IsAdminUser"]}]}
  }
})";

const char* const kViews[] = {"", "admin", "remote", "lazy", "gcra", "none", "missing"};
const char* const kHeaderNames[] = {"Authorization", "authorization", "X-Forwarded-For", "X-Remote-User",
                                    "Cookie",        "Host",          "X-Csrftoken"};

struct World {
    authp_engine* engine = nullptr;
    std::string key;
    World() {
        engine = authp_fuzz::make_engine(kPolicy);
        authp_fuzz::setup(authp_user_add(nullptr, engine, "alice", 5, "secret", 6, 0), "add alice");
        authp_fuzz::setup(authp_user_add(nullptr, engine, "root", 4, "secret", 6, AUTHP_USER_STAFF), "add root");
        char* k = nullptr;
        authp_fuzz::setup(authp_token_create(&k, engine, "root", 4, nullptr, 0, 0), "token");
        key = k;
        authp_free(k);
    }
};

std::string text(FuzzedDataProvider& p, const World& w) {
    std::string s = p.ConsumeRandomLengthString(512);
    // "@K@" stands for root's token key, "@B@" for Basic root:secret (keys are random per process).
    for (size_t at = s.find("@K@"); at != std::string::npos; at = s.find("@K@")) s.replace(at, 3, w.key);
    for (size_t at = s.find("@B@"); at != std::string::npos; at = s.find("@B@")) s.replace(at, 3, "cm9vdDpzZWNyZXQ=");
    if (p.ConsumeBool() && !s.empty()) s.append(p.ConsumeIntegralInRange<size_t>(0, 9000), s.back());  // caps
    return s;
}

void check_request_accessors(const authp_request* req) {
    size_t n = 1;
    const char* s = authp_request_method(req, &n);
    require(s != nullptr, "method accessor");
    s = authp_request_path(req, &n);
    require(s != nullptr, "path accessor");
    s = authp_request_view(req, &n);
    require(s != nullptr, "view accessor");
    s = authp_request_remote_addr(req, &n);
    require(s != nullptr, "remote_addr accessor");
    s = authp_request_remote_user(req, &n);
    require(s != nullptr, "remote_user accessor");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static World w;
    FuzzedDataProvider p(data, size);
    authp_request* req = nullptr;
    authp_fuzz::setup(authp_request_new(&req, w.engine), "authp_request_new");
    const int rounds = p.ConsumeIntegralInRange(1, 3);
    for (int round = 0; round < rounds && p.remaining_bytes() > 0; ++round) {
        const int calls = p.ConsumeIntegralInRange(0, 12);
        for (int i = 0; i < calls && p.remaining_bytes() > 0; ++i) {
            const std::string a = text(p, w);
            int rc = AUTHP_OK;
            switch (p.ConsumeIntegralInRange(0, 8)) {
                case 0: rc = authp_request_set_method(req, a.data(), a.size()); break;
                case 1: rc = authp_request_set_path(req, a.data(), a.size()); break;
                case 2: {
                    const char* v = p.PickValueInArray(kViews);
                    rc = authp_request_set_view(req, v, std::strlen(v));
                    break;
                }
                case 3: rc = authp_request_set_view(req, a.data(), a.size()); break;
                case 4: {
                    const char* name = p.PickValueInArray(kHeaderNames);
                    rc = authp_request_add_header(req, name, std::strlen(name), a.data(), a.size());
                    break;
                }
                case 5: {
                    const std::string v = text(p, w);
                    rc = authp_request_add_header(req, a.data(), a.size(), v.data(), v.size());
                    if (a.empty()) {  // the one refusal: an empty header name
                        require(rc == AUTHP_EINVALID, "an empty header name is AUTHP_EINVALID");
                        rc = AUTHP_OK;
                    }
                    break;
                }
                case 6: rc = authp_request_set_remote_addr(req, a.data(), a.size()); break;
                case 7: rc = authp_request_set_remote_user(req, a.data(), a.size()); break;
                case 8: rc = authp_request_set_secure(req, p.ConsumeBool()); break;
            }
            // Over-cap inputs are answered 400 at evaluation, never refused here (docs/limits.md).
            require(rc == AUTHP_OK, "request setters accept any bytes", authp_error_last());
        }
        check_request_accessors(req);
        const char* value = nullptr;
        size_t vlen = 0;
        const int h = authp_request_header(req, "AUTHORIZATION", 13, &value, &vlen);
        require(h == AUTHP_OK || h == AUTHP_ENOTFOUND, "header lookup");
        char* challenge = nullptr;
        const int c = authp_request_challenge(&challenge, req);
        require(c == AUTHP_OK || c == AUTHP_ENOTFOUND, "challenge lookup", authp_error_last());
        authp_free(challenge);
        if (p.ConsumeBool()) {
            const int a = authp_request_authenticate(req);
            require(a == AUTHP_OK || a == AUTHP_ENOTFOUND, "authenticate", authp_error_last());
        }
        authp_decision* d = nullptr;
        const int rc = authp_engine_evaluate(&d, w.engine, req);
        require(rc == AUTHP_OK || rc == AUTHP_ENOTFOUND, "evaluation reaches a verdict or names an unknown view",
                std::string(authp_strerror(rc)) + ": " + authp_error_last());
        if (rc == AUTHP_OK)
            authp_fuzz::check_decision(d);
        else
            require(d == nullptr, "no decision for an unknown view");
        authp_decision_free(d);
        if (p.ConsumeBool()) authp_request_reset(req);
    }
    authp_request_free(req);
    return 0;
}
