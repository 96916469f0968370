#include "engine_hooks.h"

#include <nlohmann/json.hpp>

#include <stdexcept>

namespace authpolicy::test {

EngineHooks::EngineHooks(const std::string& config_json, std::vector<std::pair<std::string, std::string>> routes)
    : routes_(std::move(routes)) {
    authp_config* cfg = nullptr;
    if (authp_config_new(&cfg) != AUTHP_OK) throw std::runtime_error("authp_config_new");
    const int rc = authp_config_load_json(cfg, config_json.data(), config_json.size(), nullptr);
    const int rc2 = rc == AUTHP_OK ? authp_engine_new(&engine_, cfg) : rc;
    authp_config_free(cfg);
    if (rc2 != AUTHP_OK) throw std::runtime_error(std::string("engine: ") + authp_error_last());
}

EngineHooks::~EngineHooks() {
    authp_engine_free(engine_);
}

server::DecisionHooks EngineHooks::hooks() {
    return {[this](const server::ForwardedRequest& r) { return decide(r); }, [this] { return ready.load(); }};
}

server::ForwardedAnswer EngineHooks::decide(const server::ForwardedRequest& r) const {
    const_cast<EngineHooks*>(this)->decisions.fetch_add(1);
    server::ForwardedAnswer answer;
    authp_request* req = nullptr;
    if (authp_request_new(&req, engine_) != AUTHP_OK) return answer;
    (void)authp_request_set_method(req, r.method.data(), r.method.size());
    (void)authp_request_set_path(req, r.path.data(), r.path.size());
    (void)authp_request_set_remote_addr(req, r.remote_addr.data(), r.remote_addr.size());
    (void)authp_request_set_secure(req, r.secure ? 1 : 0);
    for (const auto& [name, value] : r.headers) {
        (void)authp_request_add_header(req, name.data(), name.size(), value.data(), value.size());
    }
    for (const auto& [prefix, view] : routes_) {
        if (r.path.rfind(prefix, 0) == 0) {
            (void)authp_request_set_view(req, view.data(), view.size());
            break;
        }
    }
    authp_decision* d = nullptr;
    // A failed evaluation still hands back the safe 503 denial; no decision at all stays a 503.
    if (authp_engine_evaluate(&d, engine_, req) != AUTHP_OK && !d) answer.code = "service_unavailable";
    if (d) {
        answer.allowed = authp_decision_allowed(d) != 0;
        answer.status = authp_decision_status(d);
        if (answer.allowed) {
            const authp_user* user = authp_decision_user(d);
            const char* name = user ? authp_user_username(user, nullptr) : "";
            const bool has_id = user && authp_user_has_id(user);
            const char* authenticator = authp_decision_authenticator(d);
            answer.headers = {{"x-auth-user", name},
                              {"x-auth-user-id", has_id ? std::to_string(authp_user_id(user)) : ""},
                              {"x-auth-authenticator", authenticator ? authenticator : ""}};
        } else {
            for (std::size_t i = 0; i < authp_decision_header_count(d); ++i) {
                const char* n = nullptr;
                const char* v = nullptr;
                if (authp_decision_header(d, i, &n, &v) == AUTHP_OK) {
                    std::string lower(n);
                    for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
                    answer.headers.emplace_back(lower, v);
                }
            }
            answer.code = authp_decision_code(d);
            answer.body = nlohmann::json{{"detail", authp_decision_detail(d)}}.dump();
        }
        authp_decision_free(d);
    }
    authp_request_free(req);
    return answer;
}

}  // namespace authpolicy::test
