// DPoP proofs and an engine that accepts them, for the DPoP tests (dpop_test.cpp) and the replay
// store scenario run against each DPOP_REPLAY_BACKEND (dpop_replay_scenario.h).
#pragma once

#include <doctest/doctest.h>

#include <atomic>
#include <memory>
#include <string>

#include "core/crypto/digest.h"
#include "core/jose/base64url.h"
#include "core/jose/jwk_thumbprint.h"
#include "jose_support.h"
#include "test_support.h"

namespace authp_dpop_test {

using authp_test::Fixture;
using authp_test::SigningKey;
using nlohmann::json;

constexpr double kNow = 1700000000.0;
constexpr const char* kHtu = "https://api.example/things";

inline std::string b64_sha256(const std::string& s) {
    const auto d = authpolicy::crypto::sha256(s);
    return authpolicy::jose::base64url_encode(std::string_view(reinterpret_cast<const char*>(d.data()), d.size()));
}

inline std::string thumbprint(const SigningKey& key) {
    return *authpolicy::jose::jwk_thumbprint_sha256(key.public_jwk("", false));
}

// Every proof gets its own jti unless a test sets one.
inline std::string next_jti() {
    static std::atomic<int> n{0};
    return "jti-" + std::to_string(++n);
}

// Applies `changes` to `base`: a null value removes the member.
inline json merged(json base, const json& changes) {
    for (const auto& item : changes.items()) {
        if (item.value().is_null()) {
            base.erase(item.key());
        } else {
            base[item.key()] = item.value();
        }
    }
    return base;
}

// A DPoP proof for `token` signed by `key`, for GET kHtu at kNow, with header/claims changes.
inline std::string proof(const SigningKey& key, const std::string& token, json claims = json::object(),
                         json head = json::object()) {
    const json h = merged({{"typ", "dpop+jwt"}, {"alg", key.alg}, {"jwk", key.public_jwk("", false)}}, head);
    const json c =
        merged({{"jti", next_jti()}, {"htm", "GET"}, {"htu", kHtu}, {"iat", kNow}, {"ath", b64_sha256(token)}}, claims);
    return key.token(h.dump(), c.dump());
}

inline authpolicy::http::Request request(const std::string& authorization, const std::string& dpop,
                                         const std::string& method = "GET", const std::string& path = "/things",
                                         const std::string& host = "api.example") {
    authpolicy::http::Request r;
    r.set_method(method);
    r.set_path(path);
    r.set_secure(true);
    r.add_header("Host", host);
    if (!authorization.empty()) r.add_header("Authorization", authorization);
    if (!dpop.empty()) r.add_header("DPoP", dpop);
    return r;
}

// `top`: further top-level settings (DATABASE, DPOP_REPLAY_BACKEND, …).
inline std::string config(const json& auth, const json& top = json::object()) {
    return merged(json{{"DEFAULT_AUTHENTICATION_CLASSES", {auth}}, {"DEFAULT_PERMISSION_CLASSES", {"IsAuthenticated"}}},
                  top)
        .dump();
}

// An engine whose JWTAuthentication trusts `issuer`, with `extra` options, and user alice.
// another() builds a second engine on the same settings and keys: a second server.
struct Env {
    SigningKey issuer = authp_test::generate_key("ES256");
    SigningKey client = authp_test::generate_key("ES256");  // the DPoP key
    std::string text;
    std::unique_ptr<Fixture> f;
    explicit Env(json extra, const json& top = json::object()) {
        json o = {{"class", "JWTAuthentication"},
                  {"issuer", "https://id.example"},
                  {"audience", "api"},
                  {"jwks", {{"keys", {issuer.public_jwk("k1")}}}}};
        text = config(merged(o, extra), top);
        f = another();
    }
    std::unique_ptr<Fixture> another(authpolicy::HostHooks hooks = {}) const {
        auto engine = std::make_unique<Fixture>(text, std::move(hooks));
        // A PostgreSQL DATABASE is shared: alice is added once.
        if (!engine->engine->services().directory()->find_user("alice")) engine->add_user("alice", "pw");
        return engine;
    }
    // An access token; `cnf` null: unbound.
    std::string token(const json& cnf) const {
        json c = {
            {"sub", "alice"}, {"iss", "https://id.example"}, {"aud", "api"}, {"exp", kNow + 3600}, {"iat", kNow - 10}};
        if (!cnf.is_null()) c["cnf"] = cnf;
        return issuer.token(c, "k1");
    }
    std::string bound_token() const { return token({{"jkt", thumbprint(client)}}); }
    authpolicy::Decision decide(const authpolicy::http::Request& r) { return f->decide(r); }
};

inline void check_refused(const authpolicy::Decision& d, const std::string& code, const std::string& detail) {
    CHECK_FALSE(d.allowed);
    CHECK(d.status == 401);
    CHECK(d.code == code);
    CHECK(d.detail == detail);
    CHECK(d.auth == nullptr);
    const std::string challenge = authp_test::header(d, "WWW-Authenticate");
    CAPTURE(challenge);
    CHECK(challenge.find("error=\"" + code + "\"") != std::string::npos);
    CHECK(challenge.find("error_description=\"" + detail + "\"") != std::string::npos);
}

}  // namespace authp_dpop_test
