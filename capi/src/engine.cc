// Configuration and engine handles, and evaluation.
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/common/bounded_file.h"
#include "handles.h"

using authp_capi::guard;
using authpolicy::Error;
using authpolicy::ErrorCode;

namespace {

void remember_hooks(authp_engine& e, const authp_config& cfg) {
    e.lookup_payload = cfg.lookup_payload;
    e.verify_payload = cfg.verify_payload;
    e.clock_payload = cfg.clock_payload;
    e.log_payload = cfg.log_payload;
    e.introspect_payload = cfg.introspect_payload;
    e.custom = cfg.hooks.custom_authenticators;
}

// The same registered callbacks (by identity): caches built on them keep their meaning.
bool same_hooks(const authp_engine& e, const authp_config& cfg) {
    return e.lookup_payload == cfg.lookup_payload && e.verify_payload == cfg.verify_payload &&
           e.clock_payload == cfg.clock_payload && e.log_payload == cfg.log_payload &&
           e.introspect_payload == cfg.introspect_payload && e.custom == cfg.hooks.custom_authenticators &&
           static_cast<bool>(cfg.hooks.user_lookup) == static_cast<bool>(cfg.lookup_payload);
}

}  // namespace

extern "C" {

int authp_config_new(authp_config** out) {
    return guard([&]() -> int {
        if (!out) return authp_capi::misuse("NULL out");
        *out = new authp_config();
        return AUTHP_OK;
    });
}

void authp_config_free(authp_config* cfg) {
    delete cfg;
}

int authp_config_load_json(authp_config* cfg, const char* json, size_t len, const char* base_dir) {
    return guard([&]() -> int {
        if (!cfg || (!json && len)) return authp_capi::misuse("NULL config or JSON");
        cfg->config = authpolicy::parse_config_text(authp_capi::view_of(json, len), base_dir ? base_dir : "");
        return AUTHP_OK;
    });
}

int authp_config_load_file(authp_config* cfg, const char* path) {
    return guard([&]() -> int {
        if (!cfg || !path) return authp_capi::misuse("NULL config or path");
        std::string text;  // read at most the 16 MiB the parser accepts (not /dev/zero into memory)
        const authpolicy::FileRead r = authpolicy::read_bounded_file(path, authpolicy::kMaxConfigBytes, text);
        if (r == authpolicy::FileRead::TooLarge)
            throw Error(ErrorCode::Config, std::string("configuration file '") + path + "' is larger than 16 MiB");
        if (r != authpolicy::FileRead::Ok)
            throw Error(ErrorCode::Config, std::string("cannot read configuration file '") + path + "'");
        const std::string dir = std::filesystem::path(path).parent_path().string();
        cfg->config = authpolicy::parse_config_text(text, dir.empty() ? "." : dir);
        return AUTHP_OK;
    });
}

int authp_engine_new(authp_engine** out, const authp_config* cfg) {
    return guard([&]() -> int {
        if (!out || !cfg) return authp_capi::misuse("NULL out or config");
        *out = nullptr;
        // Never fall back to defaults silently: a failed or forgotten load would otherwise allow.
        if (!cfg->config) return authp_capi::misuse("no configuration loaded (load \"{}\" for the defaults)");
        const authpolicy::EngineConfig& config = *cfg->config;
        auto handle = std::make_unique<authp_engine>();
        handle->live =
            std::make_unique<authpolicy::LiveEngine>(std::make_unique<authpolicy::Engine>(config, cfg->hooks));
        remember_hooks(*handle, *cfg);
        *out = handle.release();
        return AUTHP_OK;
    });
}

int authp_engine_reload(authp_engine* engine, const authp_config* cfg) {
    return guard([&]() -> int {
        if (!engine || !cfg) return authp_capi::misuse("NULL engine or config");
        if (!cfg->config) return authp_capi::misuse("no configuration loaded (load \"{}\" for the defaults)");
        const bool same = same_hooks(*engine, *cfg);
        // Built completely before the swap: a bad configuration throws here and changes nothing.
        engine->live->reload([&](const authpolicy::Engine& previous) {
            return std::make_unique<authpolicy::Engine>(*cfg->config, cfg->hooks, &previous, same);
        });
        remember_hooks(*engine, *cfg);
        return AUTHP_OK;
    });
}

void authp_engine_free(authp_engine* engine) {
    delete engine;
}

int authp_engine_has_view(const authp_engine* engine, const char* name, size_t len) {
    if (!engine || (!name && len) || len == 0) return 0;
    return authp_capi::Pinned(engine)->policy_for(std::string_view(name, len)) != nullptr;
}

void authp_engine_invalidate_caches(const authp_engine* engine) {
    if (engine) authp_capi::Pinned(engine)->services().invalidate_caches();
}

int authp_engine_cache_stats(uint64_t* hits, uint64_t* misses, const authp_engine* engine) {
    if (!engine) return authp_capi::misuse("NULL engine");
    const auto counts = authp_capi::Pinned(engine)->services().cache_counts();
    if (hits) *hits = counts.hits;
    if (misses) *misses = counts.misses;
    return AUTHP_OK;
}

int authp_engine_evaluate(authp_decision** out, const authp_engine* engine, authp_request* req) {
    if (out) *out = nullptr;
    return guard([&]() -> int {
        if (!out || !engine || !req) return authp_capi::misuse("NULL out, engine or request");
        if (req->engine != engine) return authp_capi::misuse("the request was created for another engine");
        const authp_capi::Pinned pinned(engine);  // this decision runs on one policy, start to end
        authp_capi::adopt_policy(*req, *pinned);
        auto d = std::make_unique<authp_decision>();
        int rc = AUTHP_OK;
        try {
            d->decision = pinned->evaluate(req->request, req->state);
        } catch (const Error& e) {
            if (e.code() == ErrorCode::NotFound || e.code() == ErrorCode::Misuse) throw;
            // The machinery failed: hand back a safe denial along with the code.
            authp_capi::set_last_error(e.what());
            rc = static_cast<int>(e.code());
            d->decision = authpolicy::Engine::safe_denial();
        } catch (const std::bad_alloc&) {
            throw;
        } catch (...) {
            // A C++ host callback threw through the C ABI: still the documented safe denial.
            authp_capi::set_last_error("a host callback threw an exception");
            rc = AUTHP_ECALLBACK;
            d->decision = authpolicy::Engine::safe_denial();
        }
        d->user_view.user = d->decision.user;
        *out = d.release();
        return rc;
    });
}

}  // extern "C"
