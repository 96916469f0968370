#include "server/decider.h"

#include <strings.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <nlohmann/json.hpp>

#include "authpolicy.h"
#include "server/forward_auth.h"

namespace authpolicy::server {
namespace {

constexpr std::size_t kMaxConfigBytes = 16u << 20;  // the engine's own cap on a configuration
constexpr std::chrono::seconds kBackendErrorUnready{5};

std::atomic<std::uint64_t> next_instance{1};

std::int64_t now_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

std::string detail_body(std::string_view detail) {
    // DRF's JSONRenderer: compact separators, UTF-8 as is.
    return nlohmann::json{{"detail", detail}}.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

ForwardedAnswer unavailable(std::string code, std::string_view detail) {
    ForwardedAnswer a;
    a.status = 503;
    a.allowed = false;
    a.code = std::move(code);
    a.headers.emplace_back("content-type", "application/json");
    a.body = detail_body(detail);
    return a;
}

}  // namespace

LoadedConfig load_serve_config(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::invalid_argument("cannot read the configuration file '" + path + "'");
    std::ostringstream text;
    text << in.rdbuf();
    LoadedConfig c;
    c.text = text.str();
    if (c.text.size() > kMaxConfigBytes) throw std::invalid_argument("the configuration file is over 16 MiB");
    c.base_dir = std::filesystem::absolute(std::filesystem::path(path)).parent_path().string();
    nlohmann::json root;
    try {
        root = nlohmann::json::parse(c.text);
    } catch (const nlohmann::json::exception&) {
        throw std::invalid_argument("configuration is not valid JSON ('" + path + "')");
    }
    if (!root.is_object()) throw std::invalid_argument("configuration error at $: expected a JSON object");
    try {
        if (root.contains("ROUTES")) c.routes = RouteTable::from_json(root["ROUTES"]);
        if (root.contains("SERVE")) c.settings = parse_serve_settings(root["SERVE"]);
        if (const auto r = root.find("RELOAD"); r != root.end() && r->is_object()) {
            if (const auto w = r->find("WATCH"); w != r->end()) {
                if (!w->is_boolean()) throw std::invalid_argument("$.RELOAD.WATCH: expected true or false");
                c.watch = w->get<bool>();
            }
        }
        // A relative log file is relative to the configuration file, as DATABASE is.
        std::string& target = c.settings.decision_log.target;
        if (target != "stderr" && target != "off" && std::filesystem::path(target).is_relative())
            target = (std::filesystem::path(c.base_dir) / target).string();
    } catch (const std::invalid_argument& e) {
        throw std::invalid_argument(std::string("configuration error at ") + e.what());
    }
    return c;
}

// The engine and the configuration it was created from (kept for the engine's life; a reload's
// configuration may be freed once authp_engine_reload returns).
struct Decider::EngineHandle {
    authp_config* config = nullptr;
    authp_engine* engine = nullptr;
    ~EngineHandle() {
        authp_engine_free(engine);
        authp_config_free(config);
    }
};

// The route table in force: an immutable snapshot, swapped whole by reload().
struct Decider::Policy {
    RouteTable routes;
};

// Each thread keeps its own request handle (reset per decision) and the routes it last read; it
// picks up new routes when the generation moves. The handle keeps the engine alive until the
// request is freed.
struct Decider::ThreadState {
    std::uint64_t instance = 0;
    std::uint64_t generation = 0;
    std::shared_ptr<EngineHandle> engine;
    std::shared_ptr<const Policy> policy;
    authp_request* request = nullptr;
    void clear() {
        authp_request_free(request);
        request = nullptr;
        engine.reset();
        policy.reset();
    }
    ~ThreadState() { clear(); }
};

authp_config* Decider::engine_config(const LoadedConfig& loaded) {
    authp_config* config = nullptr;
    int rc = authp_config_new(&config);
    if (rc == AUTHP_OK)
        rc = authp_config_load_json(config, loaded.text.data(), loaded.text.size(), loaded.base_dir.c_str());
    if (rc != AUTHP_OK) {
        const std::string message = authp_error_last();
        authp_config_free(config);
        throw std::invalid_argument(message.empty() ? authp_strerror(rc) : message);
    }
    // Every routed view must be one of VIEWS (the engine has loaded them: the JSON is valid).
    const nlohmann::json root = nlohmann::json::parse(loaded.text, nullptr, false);
    const nlohmann::json* views = root.is_object() && root.contains("VIEWS") ? &root["VIEWS"] : nullptr;
    const auto& routes = loaded.routes.routes();
    for (size_t i = 0; i < routes.size(); ++i) {
        const std::string& view = routes[i].view;
        if (!view.empty() && (views == nullptr || !views->is_object() || !views->contains(view))) {
            authp_config_free(config);
            throw std::invalid_argument("configuration error at $.ROUTES[" + std::to_string(i) +
                                        "].view: no view named '" + view.substr(0, 100) + "' in VIEWS");
        }
    }
    return config;
}

Decider::Decider(std::string config_path, const LoadedConfig& initial, Metrics& metrics, DecisionLog& log)
    : config_path_(std::move(config_path)),
      instance_(next_instance.fetch_add(1)),
      metrics_(metrics),
      log_(log),
      identity_(initial.settings.identity),
      max_in_flight_(initial.settings.max_in_flight) {
    auto handle = std::make_shared<EngineHandle>();
    handle->config = engine_config(initial);
    if (const int rc = authp_engine_new(&handle->engine, handle->config); rc != AUTHP_OK) {
        const std::string message = authp_error_last();
        throw std::invalid_argument(message.empty() ? authp_strerror(rc) : message);
    }
    engine_ = std::move(handle);
    policy_.store(std::make_shared<const Policy>(Policy{initial.routes}));
    metrics_.set_cache_source([this] { return cache_counts(); });
}

Metrics::CacheCounts Decider::cache_counts() const {
    Metrics::CacheCounts c{retired_hits_.load(), retired_misses_.load()};
    std::uint64_t hits = 0;
    std::uint64_t misses = 0;
    if (authp_engine_cache_stats(&hits, &misses, engine_->engine) == AUTHP_OK) {
        c.hits += hits;
        c.misses += misses;
    }
    return c;
}

Decider::~Decider() {
    metrics_.set_cache_source(nullptr);
}

bool Decider::reload(std::string* error) {
    std::lock_guard lock(reload_mu_);
    try {
        const LoadedConfig loaded = load_serve_config(config_path_);
        std::unique_ptr<authp_config, void (*)(authp_config*)> config(engine_config(loaded), authp_config_free);
        auto next = std::make_shared<const Policy>(Policy{loaded.routes});
        std::uint64_t hits_before = 0;
        std::uint64_t misses_before = 0;
        if (authp_engine_cache_stats(&hits_before, &misses_before, engine_->engine) != AUTHP_OK)
            hits_before = misses_before = 0;
        // The engine swaps its policy first (a bad configuration changes nothing), then the
        // routes follow; a decision routed by the old table in between waits for the new one.
        reloading_.store(true);
        const int rc = authp_engine_reload(engine_->engine, config.get());
        if (rc == AUTHP_OK) {
            policy_.store(std::move(next));
            generation_.fetch_add(1, std::memory_order_release);
        }
        reloading_.store(false);
        if (rc != AUTHP_OK) {
            const std::string message = authp_error_last();
            throw std::invalid_argument(message.empty() ? authp_strerror(rc) : message);
        }
        std::uint64_t hits = 0;
        std::uint64_t misses = 0;
        // A new directory starts its counters again: keep the exported counters monotonic.
        if (authp_engine_cache_stats(&hits, &misses, engine_->engine) == AUTHP_OK &&
            (hits < hits_before || misses < misses_before)) {
            retired_hits_.fetch_add(hits_before);
            retired_misses_.fetch_add(misses_before);
        }
        log_.reopen();
        metrics_.record_reload(true);
        return true;
    } catch (const std::exception& e) {
        *error = e.what();
        metrics_.record_reload(false);
        return false;
    }
}

bool Decider::routes_moved_since(std::uint64_t generation) const {
    // Bounded: authp_engine_reload returns once the old policy's decisions are done.
    for (int i = 0; i < 20000 && reloading_.load(); ++i) std::this_thread::sleep_for(std::chrono::microseconds(100));
    return generation_.load(std::memory_order_acquire) != generation;
}

Decider::ThreadState& Decider::thread_state() {
    thread_local ThreadState state;
    if (state.instance != instance_ || state.request == nullptr) {
        state.clear();
        state.instance = instance_;
        state.engine = engine_;
        state.generation = 0;  // read the routes below
        if (authp_request_new(&state.request, engine_->engine) != AUTHP_OK) state.request = nullptr;
    }
    const std::uint64_t gen = generation_.load(std::memory_order_acquire);
    if (state.generation != gen || !state.policy) {
        state.policy = policy_.load();
        state.generation = gen;
    }
    return state;
}

ForwardedAnswer Decider::shed(std::string_view front_end) {
    metrics_.record_shed(front_end);
    ForwardedAnswer a = unavailable("overloaded", "The service is over capacity; retry later.");
    a.headers.emplace_back("retry-after", "1");
    return a;
}

bool Decider::ready() const {
    if (draining_.load() || !policy_.load()) return false;
    const std::int64_t last = last_backend_error_ns_.load(std::memory_order_relaxed);
    return last == 0 || now_ns() - last > std::chrono::nanoseconds(kBackendErrorUnready).count();
}

int Decider::fill_and_evaluate(authp_decision** out, ThreadState& ts, const ForwardedRequest& fr,
                               const std::string& path, std::string* view) {
    authp_request* req = ts.request;
    authp_request_reset(req);
    view->clear();
    if (const auto v = ts.policy->routes.view_for(fr.method, fr.host, path)) *view = *v;
    int rc = authp_request_set_method(req, fr.method.data(), fr.method.size());
    if (rc == AUTHP_OK) rc = authp_request_set_path(req, path.data(), path.size());
    if (rc == AUTHP_OK && !view->empty()) rc = authp_request_set_view(req, view->data(), view->size());
    if (rc == AUTHP_OK && !fr.remote_addr.empty())
        rc = authp_request_set_remote_addr(req, fr.remote_addr.data(), fr.remote_addr.size());
    if (rc == AUTHP_OK) rc = authp_request_set_secure(req, fr.secure ? 1 : 0);
    for (const auto& [name, value] : fr.headers) {
        if (rc != AUTHP_OK) break;
        if (strcasecmp(name.c_str(), "host") == 0) continue;  // fr.host (the original Host) wins
        rc = authp_request_add_header(req, name.data(), name.size(), value.data(), value.size());
    }
    if (rc == AUTHP_OK && !fr.host.empty())
        rc = authp_request_add_header(req, "Host", 4, fr.host.data(), fr.host.size());
    if (rc != AUTHP_OK) throw std::runtime_error(authp_error_last());
    return authp_engine_evaluate(out, ts.engine->engine, req);
}

ForwardedAnswer Decider::decide(const ForwardedRequest& fr) {
    // Admission: a slot or a fast 503; nothing waits in a queue of ours.
    if (in_flight_.fetch_add(1, std::memory_order_acq_rel) >= max_in_flight_) {
        in_flight_.fetch_sub(1, std::memory_order_acq_rel);
        return shed(fr.front_end);
    }
    struct Slot {
        std::atomic<std::size_t>& n;
        ~Slot() { n.fetch_sub(1, std::memory_order_acq_rel); }
    } slot{in_flight_};

    const auto started = std::chrono::steady_clock::now();
    ForwardedAnswer answer;
    std::string view;
    std::string username;
    std::string authenticator;
    bool has_user_id = false;
    long long user_id = 0;
    const std::string path = normalize_path(strip_query(fr.path));
    try {
        ThreadState& ts = thread_state();
        if (ts.request == nullptr) throw std::runtime_error("cannot allocate a request");
        authp_decision* d = nullptr;
        int rc = AUTHP_OK;
        for (int attempt = 0;; ++attempt) {
            rc = fill_and_evaluate(&d, ts, fr, path, &view);
            if (d != nullptr || rc != AUTHP_ENOTFOUND || view.empty() || attempt > 0) break;
            // The engine has a reload's VIEWS while these routes are still the old ones.
            if (!routes_moved_since(ts.generation)) break;
            ts.policy = policy_.load();
            ts.generation = generation_.load(std::memory_order_acquire);
        }
        struct Free {
            authp_decision* d;
            ~Free() { authp_decision_free(d); }
        } free_d{d};
        if (d == nullptr) throw std::runtime_error(authp_error_last());
        if (rc != AUTHP_OK) {  // the database or a callback failed: d is the safe 503 denial
            metrics_.record_backend_error();
            last_backend_error_ns_.store(now_ns(), std::memory_order_relaxed);
        }
        answer.allowed = authp_decision_allowed(d) != 0;
        answer.status = authp_decision_status(d);
        if (const char* a = authp_decision_authenticator(d)) authenticator = a;
        if (const authp_user* u = authp_decision_user(d)) {
            size_t len = 0;
            const char* name = authp_user_username(u, &len);
            username.assign(name != nullptr ? name : "", len);
            if (authp_user_has_id(u)) {
                has_user_id = true;
                user_id = static_cast<long long>(authp_user_id(u));
            }
        }
        if (answer.allowed) {
            answer.status = 200;
            answer.headers.emplace_back(identity_.user, header_safe(username));
            answer.headers.emplace_back(identity_.user_id, has_user_id ? std::to_string(user_id) : std::string());
            answer.headers.emplace_back(identity_.authenticator, header_safe(authenticator));
        } else {
            const char* code = authp_decision_code(d);
            answer.code = code != nullptr ? code : "denied";
            const size_t n = authp_decision_header_count(d);
            for (size_t i = 0; i < n; ++i) {
                const char* name = nullptr;
                const char* value = nullptr;
                if (authp_decision_header(d, i, &name, &value) != AUTHP_OK || name == nullptr || value == nullptr)
                    continue;
                std::string lower = header_safe(name);
                for (char& c : lower)
                    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
                answer.headers.emplace_back(std::move(lower), header_safe(value));
            }
            answer.headers.emplace_back("content-type", "application/json");
            // The whole body the host should send: DRF's {"detail"}, or a package's richer one
            // (simplejwt's "messages", DOT's "required_scopes").
            const char* body = nullptr;
            size_t body_len = 0;
            if (authp_decision_body_json(&body, &body_len, d) == AUTHP_OK && body != nullptr) {
                answer.body.assign(body, body_len);
            } else {
                const char* detail = authp_decision_detail(d);
                answer.body = detail_body(detail != nullptr ? detail : "");
            }
        }
    } catch (const std::exception&) {
        // Whatever went wrong, the proxy gets a safe denial; the reason is in the metrics.
        metrics_.record_backend_error();
        last_backend_error_ns_.store(now_ns(), std::memory_order_relaxed);
        answer = unavailable("service_unavailable", "The authentication service could not decide this request.");
    }
    const auto latency = std::chrono::steady_clock::now() - started;
    metrics_.record_decision({fr.front_end, view, answer.status, authenticator}, latency);
    DecisionLogEntry e;
    e.front_end = fr.front_end;
    e.view = view;
    e.method = fr.method;
    e.path = path;
    e.host = fr.host;
    e.status = answer.status;
    e.allowed = answer.allowed;
    e.has_user_id = has_user_id;
    e.user_id = user_id;
    e.username = username;
    e.authenticator = authenticator;
    e.code = answer.code;
    e.latency = latency;
    log_.write(e);
    return answer;
}

DecisionHooks Decider::hooks() {
    DecisionHooks h;
    h.decide = [this](const ForwardedRequest& r) { return decide(r); };
    h.ready = [this] { return ready(); };
    h.shed = [this](const char* front_end) { metrics_.record_shed(front_end); };
    h.bad_request = [this] { metrics_.record_bad_request(); };
    return h;
}

}  // namespace authpolicy::server
