// Shared fixtures for the unit tests: an in-memory engine, a steerable clock, request helpers.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "core/crypto/base64.h"
#include "core/engine/engine.h"

namespace authp_test {

class ManualClock final : public authpolicy::Clock {
  public:
    explicit ManualClock(double t = 1700000000.0) : t_(t) {}
    double now() const override { return t_.load(); }
    void set(double t) { t_.store(t); }
    void advance(double dt) { t_.store(t_.load() + dt); }

  private:
    std::atomic<double> t_;
};

inline std::string basic(const std::string& userpass) {
    return "Basic " + authpolicy::crypto::base64_encode(userpass);
}

inline authpolicy::http::Request request(const std::string& authorization = "", const std::string& method = "GET",
                                         const std::string& view = "") {
    authpolicy::http::Request r;
    r.set_method(method);
    r.set_view(view);
    if (!authorization.empty()) r.add_header("Authorization", authorization);
    return r;
}

// An engine over a private in-memory database with fast password hashing.
struct Fixture {
    std::shared_ptr<ManualClock> clock = std::make_shared<ManualClock>();
    std::unique_ptr<authpolicy::Engine> engine;

    explicit Fixture(const std::string& json, authpolicy::HostHooks hooks = {}) {
        hooks.clock = clock;
        nlohmann::json j = nlohmann::json::parse(json);
        if (!j.contains("PASSWORD_ITERATIONS")) j["PASSWORD_ITERATIONS"] = 1000;
        engine = std::make_unique<authpolicy::Engine>(authpolicy::parse_config(j, ""), std::move(hooks));
    }

    int64_t add_user(const std::string& name, const std::string& password, bool active = true, bool staff = false) {
        auto& s = engine->services();
        authpolicy::directory::NewUser u{name, s.hashers().make(password), active, staff, false};
        return s.directory()->add_user(u, 0);
    }

    std::string add_token(const std::string& user, const std::string& key, std::optional<int64_t> expires = {}) {
        engine->services().directory()->add_token(authpolicy::crypto::sha256(key), user, "test", 0, expires);
        return key;
    }

    authpolicy::Decision decide(const authpolicy::http::Request& r) {
        authpolicy::AuthState state;
        return engine->evaluate(r, state);
    }
    authpolicy::Decision decide(const std::string& authorization, const std::string& method = "GET",
                                const std::string& view = "") {
        return decide(request(authorization, method, view));
    }
};

inline std::string header(const authpolicy::Decision& d, const std::string& name) {
    for (const auto& [n, v] : d.headers) {
        if (n == name) return v;
    }
    return "<absent>";
}

}  // namespace authp_test
