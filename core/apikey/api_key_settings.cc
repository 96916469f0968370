#include "core/apikey/api_key_settings.h"

#include <cstdlib>
#include <cstring>
#include <filesystem>

#include <openssl/crypto.h>

#include "core/apikey/api_key_format.h"
#include "core/common/bounded_file.h"
#include "core/common/error.h"
#include "core/http/text_encoding.h"

namespace authpolicy::apikey {
namespace {

[[noreturn]] void fail(const std::string& where, const std::string& what) {
    throw Error(ErrorCode::Config, "configuration error at " + where + ": " + what);
}

}  // namespace

ApiKeySettings parse_api_key_settings(const nlohmann::json& block, const std::string& where,
                                      const std::string& base_dir) {
    if (!block.is_object()) fail(where, std::string("expected an object, got ") + block.type_name());
    ApiKeySettings s;
    for (const auto& [key, value] : block.items()) {
        const std::string at = where + "." + http::shown_name(key);
        if (key == "PEPPER_FILE" || key == "PEPPER_ENV") {
            if (!value.is_string() || value.get_ref<const std::string&>().empty())
                fail(at, "expected a non-empty string");
            if (key == "PEPPER_ENV") {
                s.pepper_env = value.get<std::string>();
            } else {
                std::filesystem::path p(value.get<std::string>());
                if (p.is_relative() && !base_dir.empty()) p = std::filesystem::path(base_dir) / p;
                s.pepper_file = p.string();
            }
        } else if (key == "LAST_USED_FLUSH_SECONDS") {
            if (!value.is_number() || value.get<double>() < 0.05 || value.get<double>() > 3600)
                fail(at, "expected a number of seconds between 0.05 and 3600");
            s.last_used_flush_seconds = value.get<double>();
        } else if (key == "PEPPER") {
            fail(at, "the pepper is not written in the configuration; use PEPPER_FILE or PEPPER_ENV");
        } else {
            fail(at, "unknown key (API_KEYS takes PEPPER_FILE, PEPPER_ENV, LAST_USED_FLUSH_SECONDS)");
        }
    }
    if (s.pepper_file.empty() == s.pepper_env.empty())
        fail(where, "needs exactly one of PEPPER_FILE or PEPPER_ENV (the server-side pepper)");
    return s;
}

std::shared_ptr<const Pepper> Pepper::load(const ApiKeySettings& settings) {
    std::string key;
    if (!settings.pepper_env.empty()) {
        const char* v = std::getenv(settings.pepper_env.c_str());
        if (v == nullptr)
            throw Error(ErrorCode::Config,
                        "API_KEYS.PEPPER_ENV: environment variable '" + settings.pepper_env + "' is not set");
        key = v;
    } else {
        switch (read_bounded_file(settings.pepper_file, kMaxPepperBytes, key)) {
            case FileRead::Ok: break;
            case FileRead::Unreadable:
                throw Error(ErrorCode::Config, "API_KEYS.PEPPER_FILE: cannot read '" + settings.pepper_file + "'");
            case FileRead::TooLarge:
                throw Error(ErrorCode::Config, "API_KEYS.PEPPER_FILE: '" + settings.pepper_file + "' is larger than " +
                                                   std::to_string(kMaxPepperBytes) + " bytes");
        }
        // A file written by `echo` or an editor ends with a newline that is not part of the key.
        if (!key.empty() && key.back() == '\n') key.pop_back();
        if (!key.empty() && key.back() == '\r') key.pop_back();
    }
    if (key.size() < kMinPepperBytes) {
        OPENSSL_cleanse(key.data(), key.size());
        throw Error(ErrorCode::Config, std::string("API_KEYS: the pepper (") +
                                           (settings.pepper_env.empty() ? "PEPPER_FILE" : "PEPPER_ENV") +
                                           ") must be at least 32 bytes, e.g. `openssl rand -base64 48`");
    }
    auto pepper = std::make_shared<const Pepper>(key);
    OPENSSL_cleanse(key.data(), key.size());
    return pepper;
}

crypto::Sha256 Pepper::verifier(std::string_view selector, std::string_view secret) const {
    char input[kSelectorLength + kSecretLength];
    if (selector.size() + secret.size() > sizeof input) throw Error(ErrorCode::Error, "malformed API key parts");
    std::memcpy(input, selector.data(), selector.size());
    std::memcpy(input + selector.size(), secret.data(), secret.size());
    const crypto::Sha256 v = hasher_(std::string_view(input, selector.size() + secret.size()));
    OPENSSL_cleanse(input, sizeof input);
    return v;
}

}  // namespace authpolicy::apikey
