// The fetch options shared by the authenticators that talk to an authorization server
// (docs/oauth2.md "Remote keys"): TLS, proxy, timeouts, size cap, key-set freshness.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "core/keys/remote_key_set.h"

namespace authpolicy::keys {

// When `key` is one of the fetch options, validates it into `settings` and returns true.
// Throws Error(Config) naming `at` for a bad value. base_dir resolves a relative ca_file.
bool take_fetch_option(const std::string& key, const nlohmann::json& value, const std::string& at,
                       const std::string& base_dir, KeySetSettings& settings);

// Refuses a URL the settings may not fetch, or settings that contradict each other: Error(Config).
void check_url(const std::string& url, const std::string& at, const KeySetSettings& settings);

inline constexpr const char* kFetchOptionNames =
    "jwks_uri, allow_insecure_http, ca_file, proxy, connect_timeout, fetch_timeout, max_response_bytes, "
    "jwks_min_ttl, jwks_max_ttl, jwks_default_ttl, stale_if_error, unknown_kid_cooldown, fetch_at_start";

}  // namespace authpolicy::keys
