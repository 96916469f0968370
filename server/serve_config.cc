#include "server/serve_config.h"

#include <cmath>
#include <stdexcept>

#include <nlohmann/json.hpp>

namespace authpolicy::server {
namespace {

[[noreturn]] void bad(const std::string& at, const std::string& what) {
    throw std::invalid_argument(at + ": " + what);
}

std::string text(const nlohmann::json& v, const std::string& at) {
    if (!v.is_string()) bad(at, "expected a string");
    return v.get<std::string>();
}

std::size_t count(const nlohmann::json& v, const std::string& at, std::size_t lo, std::size_t hi) {
    if (!v.is_number_integer() || v.get<long long>() < static_cast<long long>(lo) ||
        v.get<long long>() > static_cast<long long>(hi))
        bad(at, "expected an integer from " + std::to_string(lo) + " to " + std::to_string(hi));
    return static_cast<std::size_t>(v.get<long long>());
}

std::chrono::milliseconds millis(const nlohmann::json& v, const std::string& at, long long lo, long long hi) {
    return std::chrono::milliseconds(
        static_cast<long long>(count(v, at, static_cast<std::size_t>(lo), static_cast<std::size_t>(hi))));
}

// RFC 9110 §5.1 field names are tokens; we also want them lower-case (what we send).
std::string header_name(const nlohmann::json& v, const std::string& at) {
    std::string name = text(v, at);
    if (name.empty()) bad(at, "a header name may not be empty");
    for (char& c : name) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        const bool tchar = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                           std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
        if (!tchar) bad(at, "not a valid header name");
    }
    return name;
}

void parse_identity(const nlohmann::json& v, const std::string& at, IdentityHeaderNames& out) {
    if (!v.is_object()) bad(at, "expected an object {\"user\", \"user_id\", \"authenticator\"}");
    for (const auto& [key, value] : v.items()) {
        const std::string k = at + "." + key;
        if (key == "user") {
            out.user = header_name(value, k);
        } else if (key == "user_id") {
            out.user_id = header_name(value, k);
        } else if (key == "authenticator") {
            out.authenticator = header_name(value, k);
        } else {
            bad(k, "unknown key (identity_headers takes user, user_id, authenticator)");
        }
    }
}

void parse_log(const nlohmann::json& v, const std::string& at, DecisionLogSettings& out) {
    if (!v.is_object()) bad(at, "expected an object {\"target\", \"sample\"}");
    for (const auto& [key, value] : v.items()) {
        const std::string k = at + "." + key;
        if (key == "target") {
            out.target = text(value, k);
            if (out.target.empty()) bad(k, "expected \"stderr\", \"off\" or a file path");
        } else if (key == "sample") {
            if (!value.is_number() || !std::isfinite(value.get<double>()) || value.get<double>() < 0 ||
                value.get<double>() > 1)
                bad(k, "expected a number from 0 to 1");
            out.sample = value.get<double>();
        } else {
            bad(k, "unknown key (decision_log takes target, sample)");
        }
    }
}

}  // namespace

ServeSettings parse_serve_settings(const nlohmann::json& serve) {
    ServeSettings s;
    if (serve.is_null()) return s;
    if (!serve.is_object()) bad("$.SERVE", "expected an object");
    for (const auto& [key, value] : serve.items()) {
        const std::string k = "$.SERVE." + key;
        if (key == "http") {
            s.http = text(value, k);
            parse_host_port(s.http, k);
        } else if (key == "grpc") {
            s.grpc = text(value, k);
            parse_host_port(s.grpc, k);
        } else if (key == "metrics") {
            s.metrics = text(value, k);
            parse_host_port(s.metrics, k);
        } else if (key == "ext_authz_path_prefix") {
            s.ext_authz_path_prefix = text(value, k);
            if (s.ext_authz_path_prefix.size() < 2 || s.ext_authz_path_prefix.front() != '/' ||
                s.ext_authz_path_prefix.find_first_of("?# ") != std::string::npos)
                bad(k, "expected a path such as \"/ext_authz\"");
            if (s.ext_authz_path_prefix == "/auth" || s.ext_authz_path_prefix.rfind("/auth/", 0) == 0)
                bad(k, "may not overlap the forward-auth path /auth");
        } else if (key == "threads") {
            s.threads = static_cast<unsigned>(count(value, k, 0, 256));
        } else if (key == "max_connections") {
            s.max_connections = count(value, k, 1, 1000000);
        } else if (key == "max_in_flight") {
            s.max_in_flight = count(value, k, 1, 1000000);
        } else if (key == "header_limit") {
            s.header_limit = count(value, k, 1024, 1u << 20);
        } else if (key == "body_limit") {
            s.body_limit = count(value, k, 0, 16u << 20);
        } else if (key == "idle_timeout_ms") {
            s.idle_timeout = millis(value, k, 100, 3600000);
        } else if (key == "request_timeout_ms") {
            s.request_timeout = millis(value, k, 100, 600000);
        } else if (key == "shed_lag_ms") {
            s.shed_lag = millis(value, k, 1, 60000);
        } else if (key == "drain_timeout_ms") {
            s.drain_timeout = millis(value, k, 0, 600000);
        } else if (key == "identity_headers") {
            parse_identity(value, k, s.identity);
        } else if (key == "decision_log") {
            parse_log(value, k, s.decision_log);
        } else {
            bad(k,
                "unknown key (SERVE takes http, grpc, metrics, ext_authz_path_prefix, threads, max_connections, "
                "max_in_flight, header_limit, body_limit, idle_timeout_ms, request_timeout_ms, shed_lag_ms, "
                "drain_timeout_ms, identity_headers, decision_log)");
        }
    }
    return s;
}

HostPort parse_host_port(const std::string& address, const std::string& what) {
    const size_t colon = address.rfind(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == address.size())
        bad(what, "expected host:port, e.g. 127.0.0.1:8080 (port 0 picks a free one)");
    HostPort hp;
    hp.host = address.substr(0, colon);
    if (hp.host.front() == '[') {
        if (hp.host.back() != ']' || hp.host.size() < 3) bad(what, "an IPv6 host is written [addr]:port");
        hp.host = hp.host.substr(1, hp.host.size() - 2);
    }
    const std::string port = address.substr(colon + 1);
    if (port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos || std::stoul(port) > 65535)
        bad(what, "the port is a number from 0 to 65535");
    hp.port = static_cast<unsigned short>(std::stoul(port));
    return hp;
}

}  // namespace authpolicy::server
