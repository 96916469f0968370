#include "core/django/csrf.h"

#include "core/crypto/constant_time.h"
#include "core/crypto/random.h"
#include "core/http/cookies.h"
#include "core/http/text_encoding.h"

namespace authpolicy::django {
namespace {

constexpr std::string_view kChars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

// Django quotes the client's Origin and Referer in its reason; we keep the wording but never pass
// on control characters (header injection in a host that copies the detail) or 8 KiB of text.
constexpr size_t kMaxQuoted = 200;

constexpr const char* kNoReferer = "Referer checking failed - no Referer.";
constexpr const char* kMalformedReferer = "Referer checking failed - Referer is malformed.";
constexpr const char* kInsecureReferer = "Referer checking failed - Referer is insecure while host is secure.";
constexpr const char* kNoCookie = "CSRF cookie not set.";
constexpr const char* kBadToken32 = "CSRF token missing or incorrect.";
constexpr const char* kTokenMissing = "CSRF token missing.";

int index_of(char c) {
    if (c >= 'a' && c <= 'z') return c - 'a';
    if (c >= 'A' && c <= 'Z') return 26 + (c - 'A');
    if (c >= '0' && c <= '9') return 52 + (c - '0');
    return -1;
}

bool all_allowed(std::string_view s) {
    for (char c : s) {
        if (index_of(c) < 0) return false;
    }
    return true;
}

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
    }
    return out;
}

// What urllib.parse.urlparse gives the CSRF check: scheme, netloc and geturl().
struct ParsedUrl {
    std::string scheme, netloc, url;
    bool valid = true;  // false where Python raises ValueError (unbalanced IPv6 brackets)
};

ParsedUrl parse_url(std::string_view raw) {
    std::string s;
    for (char c : raw) {
        if (c != '\t' && c != '\r' && c != '\n') s.push_back(c);  // Python ≥ 3.10 removes these
    }
    size_t b = 0, e = s.size();
    while (b < e && static_cast<unsigned char>(s[b]) <= 0x20) ++b;  // WHATWG C0 control or space
    while (e > b && static_cast<unsigned char>(s[e - 1]) <= 0x20) --e;
    std::string_view url = std::string_view(s).substr(b, e - b);
    ParsedUrl p;
    const size_t colon = url.find(':');
    if (colon != std::string_view::npos && colon > 0 &&
        ((url[0] >= 'a' && url[0] <= 'z') || (url[0] >= 'A' && url[0] <= 'Z'))) {
        bool ok = true;
        for (char c : url.substr(0, colon)) {
            const bool sc = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '+' ||
                            c == '-' || c == '.';
            ok = ok && sc;
        }
        if (ok) {
            p.scheme = lower(url.substr(0, colon));
            url.remove_prefix(colon + 1);
        }
    }
    if (url.substr(0, 2) == "//") {
        const size_t end = url.find_first_of("/?#", 2);
        p.netloc = std::string(url.substr(2, end == std::string_view::npos ? std::string_view::npos : end - 2));
        url.remove_prefix(end == std::string_view::npos ? url.size() : end);
        const bool open = p.netloc.find('[') != std::string::npos, close = p.netloc.find(']') != std::string::npos;
        if (open != close) p.valid = false;
    }
    std::string_view fragment, query;
    if (const size_t h = url.find('#'); h != std::string_view::npos) {
        fragment = url.substr(h + 1);
        url = url.substr(0, h);
    }
    if (const size_t q = url.find('?'); q != std::string_view::npos) {
        query = url.substr(q + 1);
        url = url.substr(0, q);
    }
    if (!p.scheme.empty()) p.url = p.scheme + ":";
    if (!p.netloc.empty()) p.url += "//" + p.netloc;
    p.url += url;
    if (!query.empty()) p.url.append("?").append(query);
    if (!fragment.empty()) p.url.append("#").append(fragment);
    return p;
}

std::string lstrip_star(std::string_view s) {
    while (!s.empty() && s.front() == '*') s.remove_prefix(1);
    return std::string(s);
}

// The request's port as Django's get_port() would see it behind a proxy that keeps Host.
std::string request_port(const http::Request& request, const std::string* host) {
    if (host != nullptr) {
        const size_t colon = host->rfind(':');
        if (colon != std::string::npos && host->find(']', colon) == std::string::npos) return host->substr(colon + 1);
    }
    return request.secure() ? "443" : "80";
}

// Shared by both generations; `fail_reason` receives Django's reason.
std::optional<std::string> check_referer(const http::Request& request, const CsrfSettings& s) {
    const std::string* referer = request.header("referer");
    if (referer == nullptr) return kNoReferer;
    const ParsedUrl p = parse_url(*referer);
    if (!p.valid || p.scheme.empty() || p.netloc.empty()) return kMalformedReferer;
    if (p.scheme != "https") return kInsecureReferer;
    const std::string bad =
        "Referer checking failed - " + http::quoted_excerpt(p.url, kMaxQuoted) + " does not match any trusted origins.";
    const std::string* host = request.header("host");
    std::optional<std::string> good_referer;
    if (s.cookie_domain) {
        good_referer = *s.cookie_domain;
        const std::string port = request_port(request, host);
        if (port != "443" && port != "80") *good_referer += ":" + port;
    } else if (host != nullptr) {
        good_referer = *host;
    }
    if (s.django32) {
        std::vector<std::string> good_hosts = s.trusted_origins;
        if (good_referer) good_hosts.push_back(*good_referer);
        for (const auto& h : good_hosts) {
            if (is_same_domain(p.netloc, h)) return std::nullopt;
        }
        return bad;
    }
    for (const auto& origin : s.trusted_origins) {
        if (is_same_domain(p.netloc, lstrip_star(parse_url(origin).netloc))) return std::nullopt;
    }
    if (!good_referer) return bad;  // no host: Django's DisallowedHost
    if (!is_same_domain(p.netloc, *good_referer)) return bad;
    return std::nullopt;
}

bool origin_verified(const http::Request& request, const CsrfSettings& s, const std::string& origin) {
    if (const std::string* host = request.header("host")) {
        if (origin == std::string(request.secure() ? "https://" : "http://") + *host) return true;
    }
    for (const auto& trusted : s.trusted_origins) {
        if (trusted.find('*') == std::string::npos && trusted == origin) return true;
    }
    const ParsedUrl p = parse_url(origin);
    if (!p.valid) return false;
    for (const auto& trusted : s.trusted_origins) {
        if (trusted.find('*') == std::string::npos) continue;
        const ParsedUrl t = parse_url(trusted);
        if (t.scheme == p.scheme && is_same_domain(p.netloc, lstrip_star(t.netloc))) return true;
    }
    return false;
}

// Django 4.0+'s _sanitize_token: the 64-character form, or the reason it is malformed.
struct Sanitized {
    std::string token;
    const char* problem = nullptr;  // "has incorrect length" / "has invalid characters"
};

Sanitized sanitize(std::string_view token) {
    if (token.size() != kCsrfTokenLength && token.size() != kCsrfSecretLength) return {"", "has incorrect length"};
    if (!all_allowed(token)) return {"", "has invalid characters"};
    if (token.size() == kCsrfSecretLength) return {std::string(token) + std::string(token), nullptr};
    return {std::string(token), nullptr};
}

// The secret of a sanitised token (a 32-character one is its own secret).
std::string secret_of(const std::string& sanitized, std::string_view original) {
    if (original.size() == kCsrfSecretLength) return std::string(original);
    return *unmask_csrf_token(sanitized);
}

// "X-CSRFToken" → "X-Csrftoken", as HttpHeaders.parse_header_name renders the META key.
std::string header_title(std::string_view name) {
    std::string out;
    bool start = true;
    for (char c : name) {
        if (c == '_') c = '-';
        const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
        if (alpha) {
            out.push_back(start ? static_cast<char>(c >= 'a' ? c - 32 : c) : static_cast<char>(c <= 'Z' ? c + 32 : c));
            start = false;
        } else {
            out.push_back(c);
            start = true;
        }
    }
    return out;
}

}  // namespace

bool is_same_domain(std::string_view host, std::string_view pattern) {
    if (pattern.empty()) return false;
    const std::string p = lower(pattern);
    if (p.front() == '.') {
        if (host.size() >= p.size() && host.substr(host.size() - p.size()) == p) return true;
        if (host == std::string_view(p).substr(1)) return true;
    }
    return host == p;
}

std::string new_csrf_secret() {
    return crypto::random_string(kChars, kCsrfSecretLength);
}

std::string mask_csrf_secret(std::string_view secret, std::string_view mask) {
    std::string out(mask);
    for (size_t i = 0; i < kCsrfSecretLength && i < secret.size() && i < mask.size(); ++i)
        out.push_back(kChars[static_cast<size_t>((index_of(secret[i]) + index_of(mask[i])) % 62)]);
    return out;
}

std::optional<std::string> unmask_csrf_token(std::string_view token) {
    if (token.size() != kCsrfTokenLength || !all_allowed(token)) return std::nullopt;
    std::string secret;
    secret.reserve(kCsrfSecretLength);
    for (size_t i = 0; i < kCsrfSecretLength; ++i) {
        const int v = (index_of(token[kCsrfSecretLength + i]) - index_of(token[i]) + 62) % 62;
        secret.push_back(kChars[static_cast<size_t>(v)]);
    }
    return secret;
}

std::optional<std::string> check_csrf(const http::Request& request, const CsrfSettings& s) {
    const std::string_view method = request.method();
    if (method == "GET" || method == "HEAD" || method == "OPTIONS" || method == "TRACE") return std::nullopt;

    if (!s.django32) {
        if (const std::string* origin = request.header("origin")) {
            if (!origin_verified(request, s, *origin))
                return "Origin checking failed - " + http::quoted_excerpt(*origin, kMaxQuoted) +
                       " does not match any trusted origins.";
        } else if (request.secure()) {
            if (auto reason = check_referer(request, s)) return reason;
        }
    } else if (request.secure()) {
        if (auto reason = check_referer(request, s)) return reason;
    }

    std::optional<std::string> cookie;
    if (const std::string* header = request.header("cookie")) cookie = http::find_cookie(*header, s.cookie_name);
    if (!cookie) return kNoCookie;

    std::string request_token;
    bool from_form = false;
    if (method == "POST") {
        if (const std::string* field = request.form_field(kCsrfFormField)) request_token = *field;
        from_form = !request_token.empty();
    }
    const std::string* header_token = nullptr;
    if (!from_form) {
        header_token = request.find_header(s.header_name);
        if (header_token != nullptr) request_token = *header_token;
    }

    if (s.django32) {
        // 3.2's _sanitize_token replaces a malformed value by a fresh random token: no match.
        auto secret32 = [](std::string_view t) -> std::optional<std::string> {
            if (!all_allowed(t)) return std::nullopt;
            if (t.size() == kCsrfSecretLength) return std::string(t);
            if (t.size() == kCsrfTokenLength) return unmask_csrf_token(t);
            return std::nullopt;
        };
        const auto cookie_secret = secret32(*cookie);
        const auto request_secret = secret32(request_token);
        if (!cookie_secret || !request_secret || !crypto::constant_time_equal(*cookie_secret, *request_secret))
            return kBadToken32;
        return std::nullopt;
    }

    const Sanitized c = sanitize(*cookie);
    if (c.problem) return std::string("CSRF cookie ") + c.problem + ".";
    if (!from_form && header_token == nullptr) return kTokenMissing;
    const std::string source = from_form ? "POST" : "the '" + header_title(s.header_name) + "' HTTP header";
    const Sanitized r = sanitize(request_token);
    if (r.problem) return "CSRF token from " + source + " " + r.problem + ".";
    if (!crypto::constant_time_equal(secret_of(r.token, request_token), secret_of(c.token, *cookie)))
        return "CSRF token from " + source + " incorrect.";
    return std::nullopt;
}

}  // namespace authpolicy::django
