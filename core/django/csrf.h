// Django's CSRF check (django/middleware/csrf.py) as DRF's SessionAuthentication runs it:
// process_view with no view callback, for an authenticated session on an unsafe method.
// Two generations: Django 3.2 (Referer check on HTTPS, sanitised tokens, one reason for every
// token problem) and 4.0+ (Origin check, precise reasons). drf-spec §7.5, §7.6.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/http/request.h"

namespace authpolicy::django {

struct CsrfSettings {
    bool django32 = false;                     // Django 3.2 rules and reasons (else 4.0+)
    std::string cookie_name = "csrftoken";     // CSRF_COOKIE_NAME
    std::string header_name = "X-CSRFToken";   // CSRF_HEADER_NAME as an HTTP header name
    std::vector<std::string> trusted_origins;  // CSRF_TRUSTED_ORIGINS (3.2: hosts; 4.0+: origins)
    std::optional<std::string> cookie_domain;  // CSRF_COOKIE_DOMAIN
};

inline constexpr size_t kCsrfSecretLength = 32;
inline constexpr size_t kCsrfTokenLength = 64;
inline constexpr std::string_view kCsrfFormField = "csrfmiddlewaretoken";

// Django's reason when the request fails the check, nullopt when it passes (safe methods pass).
std::optional<std::string> check_csrf(const http::Request& request, const CsrfSettings& settings);

// A fresh 32-character secret from [a-zA-Z0-9] (OpenSSL's RNG).
std::string new_csrf_secret();
// mask + cipher (64 characters); both inputs are 32 characters of the alphabet.
std::string mask_csrf_secret(std::string_view secret, std::string_view mask);
// The secret inside a 64-character token; nullopt when it is not one.
std::optional<std::string> unmask_csrf_token(std::string_view token);

// Django's is_same_domain(host, pattern).
bool is_same_domain(std::string_view host, std::string_view pattern);

}  // namespace authpolicy::django
