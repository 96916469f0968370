// The structs behind the C API's opaque handles, and the exception boundary.
#pragma once

#include <map>
#include <memory>
#include <new>
#include <optional>
#include <string>

#include "authpolicy.h"
#include "core/common/error.h"
#include "core/engine/config.h"
#include "core/engine/engine.h"
#include "core/engine/live_engine.h"

namespace authp_capi {

// A host payload and its destructor; the destructor runs when the last owner lets go.
struct Payload {
    void* ptr = nullptr;
    authp_free_cb free_fn = nullptr;
    Payload(void* p, authp_free_cb f) : ptr(p), free_fn(f) {}
    ~Payload() {
        if (free_fn) free_fn(ptr);
    }
    Payload(const Payload&) = delete;
    Payload& operator=(const Payload&) = delete;
};

void set_last_error(const char* message);

// Every entry point runs inside guard(): no exception crosses the C boundary.
template <class F>
int guard(F&& body) noexcept {
    try {
        return body();
    } catch (const authpolicy::Error& e) {
        set_last_error(e.what());
        return static_cast<int>(e.code());
    } catch (const std::bad_alloc&) {
        set_last_error("out of memory");
        return AUTHP_ENOMEM;
    } catch (const std::exception& e) {
        set_last_error(e.what());
        return AUTHP_ERROR;
    } catch (...) {
        set_last_error("unknown internal error");
        return AUTHP_ERROR;
    }
}

inline int misuse(const char* what) {
    set_last_error(what);
    return AUTHP_EMISUSE;
}

// Copies into memory the caller releases with authp_free() (which zeroises it).
char* owned_string(const std::string& s);
// The same for a freshly minted secret, whose own copy is wiped (also when copying fails).
char* owned_secret(std::string& secret);

std::string_view view_of(const char* ptr, size_t len);

}  // namespace authp_capi

struct authp_user {
    authpolicy::UserPtr user;
    mutable std::string json;  // rendered on first request
};

struct authp_user_builder {
    authpolicy::User user;
    bool has_username = false;
};

struct authp_authn_ctx {
    std::optional<std::string> user_json;
    std::optional<std::string> auth_json;
    std::optional<std::string> detail;
    std::optional<std::string> challenge;
};

struct authp_config {
    std::optional<authpolicy::EngineConfig> config;
    authpolicy::HostHooks hooks;
    std::shared_ptr<authp_capi::Payload> lookup_payload, verify_payload, clock_payload, log_payload;
    std::shared_ptr<authp_capi::Payload> introspect_payload;
};

struct authp_engine {
    std::unique_ptr<authpolicy::LiveEngine> live;
    // The host callbacks the current engine was built with: a reload with the same ones may
    // keep the services and the authenticators' caches.
    std::shared_ptr<authp_capi::Payload> lookup_payload, verify_payload, clock_payload, log_payload, introspect_payload;
    std::map<std::string, std::shared_ptr<const authpolicy::authn::Authenticator>, std::less<>> custom;
};

namespace authp_capi {
// The engine's current policy, pinned for the scope: a read section (one store to this
// thread's own slot), no lock, no reference count. Reloads wait for it to end.
class Pinned {
  public:
    explicit Pinned(const authp_engine* e) : engine_(e->live->current()) {}
    authpolicy::Engine* operator->() const { return &engine_; }
    authpolicy::Engine& operator*() const { return engine_; }

  private:
    authpolicy::grace::ReadSection section_;
    authpolicy::Engine& engine_;
};

// The services of the current policy, kept alive by the caller (management calls, not hot).
inline std::shared_ptr<authpolicy::Services> services_of(const authp_engine* e) {
    return Pinned(e)->shared_services();
}
}  // namespace authp_capi

struct authp_request {
    // Non-owning: a request must not outlive its engine (documented), and not touching the
    // engine's reference count keeps concurrent requests off one shared cache line.
    const authp_engine* engine = nullptr;
    uint64_t engine_serial = 0;  // the policy its authentication state came from
    authpolicy::http::Request request;
    authpolicy::AuthState state;
    authp_user user_view;
    std::string auth_json;
};

struct authp_decision {
    authpolicy::Decision decision;
    authp_user user_view;
    mutable std::string json;
    mutable std::string body;  // body_json(), rendered on first request
};

namespace authp_capi {
// A request whose authentication ran on another policy (a reload came in between) starts
// over on this one: its state may point into an engine that is gone.
inline void adopt_policy(authp_request& req, const authpolicy::Engine& engine) {
    if (req.engine_serial != engine.serial()) {
        req.state.reset();
        req.user_view = {};
        req.auth_json.clear();
        req.engine_serial = engine.serial();
    }
}
}  // namespace authp_capi
