#include "core/keys/fetch_options.h"

#include <filesystem>

#include "core/common/error.h"

namespace authpolicy::keys {
namespace {

double seconds_of(const nlohmann::json& v, const std::string& at, double lo, double hi) {
    if (!v.is_number() || v.get<double>() < lo || v.get<double>() > hi)
        config_fail(at, "expected a number of seconds between " + std::to_string(lo).substr(0, 4) + " and " +
                            std::to_string(static_cast<long>(hi)));
    return v.get<double>();
}

}  // namespace

bool take_fetch_option(const std::string& key, const nlohmann::json& value, const std::string& at,
                       const std::string& base_dir, KeySetSettings& s) {
    if (key == "allow_insecure_http") {
        if (!value.is_boolean()) config_fail(at, "expected true or false");
        s.http.allow_insecure_http = value.get<bool>();
    } else if (key == "fetch_at_start") {
        if (!value.is_boolean()) config_fail(at, "expected true or false");
        s.fetch_at_start = value.get<bool>();
    } else if (key == "ca_file") {
        if (!value.is_string() || value.get_ref<const std::string&>().empty())
            config_fail(at, "expected the path of a PEM CA bundle");
        std::filesystem::path p(value.get<std::string>());
        if (!base_dir.empty() && p.is_relative()) p = std::filesystem::path(base_dir) / p;
        if (!std::filesystem::is_regular_file(p)) config_fail(at, "no such file '" + p.string() + "'");
        s.http.ca_file = p.string();
    } else if (key == "proxy") {
        if (!value.is_string() || value.get_ref<const std::string&>().empty())
            config_fail(at, "expected a proxy URL (http://host:port)");
        s.http.proxy = value.get<std::string>();  // never logged: it may carry credentials
    } else if (key == "connect_timeout") {
        s.http.connect_timeout = seconds_of(value, at, 0.05, 60);
    } else if (key == "fetch_timeout") {
        s.http.timeout = seconds_of(value, at, 0.05, 60);
    } else if (key == "max_response_bytes") {
        if (!value.is_number_integer() || value.get<int64_t>() < 1024 || value.get<int64_t>() > (16 << 20))
            config_fail(at, "expected a number of bytes between 1024 and 16777216");
        s.http.max_bytes = value.get<size_t>();
    } else if (key == "jwks_min_ttl") {
        s.ttl.min = seconds_of(value, at, 0.05, 86400 * 7);
    } else if (key == "jwks_max_ttl") {
        s.ttl.max = seconds_of(value, at, 0.05, 86400 * 7);
    } else if (key == "jwks_default_ttl") {
        s.ttl.fallback = seconds_of(value, at, 0.05, 86400 * 7);
    } else if (key == "stale_if_error") {
        s.stale_if_error = seconds_of(value, at, 0, 86400 * 30);
    } else if (key == "unknown_kid_cooldown") {
        s.unknown_kid_cooldown = seconds_of(value, at, 0.05, 86400);
    } else {
        return false;
    }
    return true;
}

void check_url(const std::string& url, const std::string& at, const KeySetSettings& s) {
    if (auto problem = url_problem(url, s.http.allow_insecure_http)) config_fail(at, *problem);
    if (s.ttl.min > s.ttl.max) config_fail(at, "jwks_min_ttl may not exceed jwks_max_ttl");
}

}  // namespace authpolicy::keys
