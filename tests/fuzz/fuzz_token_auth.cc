// The Authorization header through TokenAuthentication (keywords "Token" and "Bearer"), as the
// engine evaluates it through the C API: keyword matching, the DRF split and its messages, UTF-8
// checks, the key cap, the digest lookup and the cache.
// Input: one Authorization header value. Keys are random per process, so the placeholders "@A@"
// (an active user's key) and "@B@" (an inactive user's key) are replaced by the real keys before
// evaluation; the seed corpus uses them to reach the success and inactive paths.
#include <cstdint>
#include <string>
#include <string_view>

#include "core/http/credentials_split.h"
#include "fuzz_support.h"

namespace {

using authp_fuzz::require;

constexpr const char* kPolicy = R"({
  "DEFAULT_AUTHENTICATION_CLASSES": [{"class": "TokenAuthentication", "keyword": ["Token", "Bearer"]}],
  "DEFAULT_PERMISSION_CLASSES": ["IsAuthenticated"],
  "PASSWORD_ITERATIONS": 1
})";

std::string make_token(authp_engine* e, const char* user) {
    char* key = nullptr;
    authp_fuzz::setup(authp_token_create(&key, e, user, std::strlen(user), "fuzz", 4, 0), "authp_token_create");
    std::string out(key);
    authp_free(key);
    return out;
}

struct World {
    authp_engine* engine = nullptr;
    std::string alice_key, bob_key;
    World() {
        engine = authp_fuzz::make_engine(kPolicy);
        authp_fuzz::setup(authp_user_add(nullptr, engine, "alice", 5, nullptr, 0, 0), "add alice");
        authp_fuzz::setup(authp_user_add(nullptr, engine, "bob", 3, nullptr, 0, AUTHP_USER_INACTIVE), "add bob");
        alice_key = make_token(engine, "alice");
        bob_key = make_token(engine, "bob");
    }
};

void replace_all(std::string& s, std::string_view from, const std::string& to) {
    for (size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size()))
        s.replace(at, from.size(), to);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static World w;
    std::string header(reinterpret_cast<const char*>(data), size);
    replace_all(header, "@A@", w.alice_key);
    replace_all(header, "@B@", w.bob_key);

    authp_request* req = nullptr;
    authp_fuzz::setup(authp_request_new(&req, w.engine), "authp_request_new");
    (void)authp_request_set_method(req, "POST", 4);
    require(authp_request_add_header(req, "Authorization", 13, header.data(), header.size()) == AUTHP_OK,
            "the header setter accepts any value");
    authp_decision* d = nullptr;
    require(authp_engine_evaluate(&d, w.engine, req) == AUTHP_OK, "Token evaluation reaches a verdict",
            authp_error_last());
    const int status = authp_fuzz::check_decision(d);
    require(status == 200 || status == 400 || status == 401, "Token gives 200, 400 or 401");
    const auto split = authpolicy::http::split_credentials(header);
    if (status == 200) {
        // Exactly "<keyword> <alice's key>" with Python whitespace around: nothing else authenticates.
        require(split.count == 2 && split.parts[1] == w.alice_key, "only alice's exact key authenticates");
        require(authpolicy::http::equals_ignore_case(split.parts[0], "token") ||
                    authpolicy::http::equals_ignore_case(split.parts[0], "bearer"),
                "only a listed keyword authenticates");
        size_t n = 0;
        const char* name = authp_user_username(authp_decision_user(d), &n);
        require(std::string_view(name, n) == "alice", "the token's user");
    }
    const bool listed = split.count >= 1 && (authpolicy::http::equals_ignore_case(split.parts[0], "token") ||
                                             authpolicy::http::equals_ignore_case(split.parts[0], "bearer"));
    if (listed && split.count == 2 && split.parts[1] == w.bob_key && header.size() <= 8192) {
        require(status == 401 && std::string_view(authp_decision_detail(d)) == "User inactive or deleted.",
                "an inactive user's token is refused as inactive");
    }
    authp_decision_free(d);
    authp_request_free(req);
    return 0;
}
