// "API_KEYS": where the pepper comes from and how often last-used times are written
// (docs/api-keys.md). The pepper is a server-side key: the stored verifier is
// HMAC-SHA256(pepper, selector ‖ secret), so a copy of the database alone cannot test guesses.
// It is never put in the configuration text itself (files are shared, logged and committed):
// it comes from a file or an environment variable, and never appears in a message.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "core/crypto/digest.h"

namespace authpolicy::apikey {

struct ApiKeySettings {
    std::string pepper_file;  // resolved against the configuration's directory
    std::string pepper_env;   // exactly one of the two is set
    double last_used_flush_seconds = 60;
};

// Validates the block's shape (reads nothing). Error(Config) naming the place.
ApiKeySettings parse_api_key_settings(const nlohmann::json& block, const std::string& where,
                                      const std::string& base_dir);

inline constexpr size_t kMinPepperBytes = 32;
inline constexpr size_t kMaxPepperBytes = 4096;

// The pepper, loaded once: computes verifiers. Holds the key only inside its HMAC hasher.
class Pepper {
  public:
    // Reads the file or variable; Error(Config) when missing, unreadable, shorter than 32 bytes.
    static std::shared_ptr<const Pepper> load(const ApiKeySettings& settings);
    explicit Pepper(std::string key) : hasher_(std::move(key)) {}
    // HMAC-SHA256(pepper, selector ‖ secret): both have fixed lengths, so the input is unambiguous.
    crypto::Sha256 verifier(std::string_view selector, std::string_view secret) const;

  private:
    crypto::KeyedHasher hasher_;
};

}  // namespace authpolicy::apikey
