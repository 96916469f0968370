// Django's CSRF check in both generations (drf-spec §1.5, §7.5, §7.6).
#include <doctest/doctest.h>

#include "core/django/csrf.h"

using namespace authpolicy;

namespace {

const std::string kSecret = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdef";
const std::string kMasked = "0123456789abcdefghijklmnopqrstuvqsuwyACEGIKMOQSUWY02468aceqsuwyA";

http::Request post(const std::string& cookie, const std::string* token, bool secure = false) {
    http::Request r;
    r.set_method("POST");
    r.set_secure(secure);
    r.add_header("Host", "testserver");
    if (!cookie.empty()) r.add_header("Cookie", cookie);
    if (token) r.add_header("X-CSRFToken", *token);
    return r;
}

django::CsrfSettings v32() {
    django::CsrfSettings s;
    s.django32 = true;
    return s;
}

}  // namespace

TEST_CASE("csrf: mask and unmask (drf-spec §7.5 vector)") {
    CHECK(django::mask_csrf_secret(kSecret, "0123456789abcdefghijklmnopqrstuv") == kMasked);
    CHECK(django::unmask_csrf_token(kMasked) == kSecret);
    CHECK_FALSE(django::unmask_csrf_token(kSecret));
    CHECK_FALSE(django::unmask_csrf_token(std::string(64, '!')));
    const std::string fresh = django::new_csrf_secret();
    CHECK(fresh.size() == 32);
    CHECK(django::unmask_csrf_token(django::mask_csrf_secret(fresh, django::new_csrf_secret())) == fresh);
}

TEST_CASE("csrf: safe methods always pass") {
    for (const char* m : {"GET", "HEAD", "OPTIONS", "TRACE"}) {
        http::Request r;
        r.set_method(m);
        CHECK_FALSE(django::check_csrf(r, {}));
        CHECK_FALSE(django::check_csrf(r, v32()));
    }
}

TEST_CASE("csrf: Django 3.2 token checks") {
    const auto s = v32();
    const std::string other_mask = django::mask_csrf_secret(kSecret, "vutsrqponmlkjihgfedcba9876543210");
    CHECK(django::check_csrf(post("", &kSecret), s) == "CSRF cookie not set.");
    CHECK(django::check_csrf(post("csrftoken=" + kMasked, nullptr), s) == "CSRF token missing or incorrect.");
    CHECK_FALSE(django::check_csrf(post("csrftoken=" + kMasked, &other_mask), s));
    CHECK_FALSE(django::check_csrf(post("csrftoken=" + kMasked, &kSecret), s));
    CHECK_FALSE(django::check_csrf(post("csrftoken=" + kSecret, &kMasked), s));
    const std::string wrong = django::new_csrf_secret();
    CHECK(django::check_csrf(post("csrftoken=" + kMasked, &wrong), s) == "CSRF token missing or incorrect.");
    const std::string bad_chars = kSecret.substr(0, 31) + "!";
    CHECK(django::check_csrf(post("csrftoken=" + kMasked, &bad_chars), s) == "CSRF token missing or incorrect.");
    CHECK(django::check_csrf(post("csrftoken=" + bad_chars, &kSecret), s) == "CSRF token missing or incorrect.");
    CHECK(django::check_csrf(post("csrftoken=", &kSecret), s) == "CSRF token missing or incorrect.");
    // The form field wins over the header for POST.
    http::Request form = post("csrftoken=" + kMasked, &wrong);
    form.set_form_field("csrfmiddlewaretoken", kSecret);
    CHECK_FALSE(django::check_csrf(form, s));
    form.set_form_field("csrfmiddlewaretoken", "");  // empty: the header is read instead
    CHECK(django::check_csrf(form, s) == "CSRF token missing or incorrect.");
}

TEST_CASE("csrf: Django 4.0+ token reasons") {
    const django::CsrfSettings s;
    const std::string wrong = django::new_csrf_secret();
    const std::string short_token = "abc";
    const std::string bad_chars = kSecret.substr(0, 31) + "!";
    CHECK(django::check_csrf(post("csrftoken=" + kMasked, nullptr), s) == "CSRF token missing.");
    CHECK(django::check_csrf(post("csrftoken=" + kMasked, &wrong), s) ==
          "CSRF token from the 'X-Csrftoken' HTTP header incorrect.");
    CHECK(django::check_csrf(post("csrftoken=" + kMasked, &short_token), s) ==
          "CSRF token from the 'X-Csrftoken' HTTP header has incorrect length.");
    CHECK(django::check_csrf(post("csrftoken=" + kMasked, &bad_chars), s) ==
          "CSRF token from the 'X-Csrftoken' HTTP header has invalid characters.");
    CHECK(django::check_csrf(post("csrftoken=abc", &kSecret), s) == "CSRF cookie has incorrect length.");
    CHECK(django::check_csrf(post("csrftoken=" + bad_chars, &kSecret), s) == "CSRF cookie has invalid characters.");
    CHECK_FALSE(django::check_csrf(post("csrftoken=" + kSecret, &kMasked), s));
    http::Request form = post("csrftoken=" + kSecret, nullptr);
    form.set_form_field("csrfmiddlewaretoken", wrong);
    CHECK(django::check_csrf(form, s) == "CSRF token from POST incorrect.");
}

TEST_CASE("csrf: Referer checks on HTTPS (both generations)") {
    for (bool is32 : {true, false}) {
        django::CsrfSettings s;
        s.django32 = is32;
        auto with_referer = [&](const char* referer) {
            http::Request r = post("csrftoken=" + kSecret, &kSecret, true);
            if (referer) r.add_header("Referer", referer);
            return django::check_csrf(r, s);
        };
        CHECK(with_referer(nullptr) == "Referer checking failed - no Referer.");
        CHECK(with_referer("nonsense") == "Referer checking failed - Referer is malformed.");
        CHECK(with_referer("http://testserver/") ==
              "Referer checking failed - Referer is insecure while host is secure.");
        CHECK(with_referer("https://evil.com/") ==
              "Referer checking failed - https://evil.com/ does not match any trusted origins.");
        CHECK(with_referer("HTTPS://evil.com/a?#") ==
              "Referer checking failed - https://evil.com/a does not match any trusted origins.");
        CHECK_FALSE(with_referer("https://testserver/x"));
        s.trusted_origins = {is32 ? ".example.com" : "https://*.example.com"};
        CHECK_FALSE(with_referer("https://api.example.com/"));
    }
}

TEST_CASE("csrf: Origin checks (4.0+ only)") {
    django::CsrfSettings s;
    s.trusted_origins = {"https://app.example.com", "https://*.trusted.org"};
    auto with_origin = [&](const char* origin, bool secure) {
        http::Request r = post("csrftoken=" + kSecret, &kSecret, secure);
        r.add_header("Origin", origin);
        return django::check_csrf(r, s);
    };
    CHECK(with_origin("https://evil.com", false) ==
          "Origin checking failed - https://evil.com does not match any trusted origins.");
    CHECK_FALSE(with_origin("http://testserver", false));
    CHECK_FALSE(with_origin("https://testserver", true));
    CHECK(with_origin("http://testserver", true) ==
          "Origin checking failed - http://testserver does not match any trusted origins.");
    CHECK_FALSE(with_origin("https://app.example.com", false));
    CHECK_FALSE(with_origin("https://x.trusted.org", false));
    CHECK(with_origin("http://x.trusted.org", false).has_value());
    // An Origin replaces the Referer check on HTTPS.
    CHECK_FALSE(with_origin("https://testserver", true));
    auto s32 = v32();
    http::Request r = post("csrftoken=" + kSecret, &kSecret);
    r.add_header("Origin", "https://evil.com");
    CHECK_FALSE(django::check_csrf(r, s32));  // 3.2 ignores Origin
}

TEST_CASE("csrf: is_same_domain") {
    CHECK(django::is_same_domain("example.com", ".example.com"));
    CHECK(django::is_same_domain("a.example.com", ".Example.com"));
    CHECK_FALSE(django::is_same_domain("badexample.com", ".example.com"));
    CHECK_FALSE(django::is_same_domain("example.com", ""));
    CHECK(django::is_same_domain("example.com:8443", "example.com:8443"));
}

TEST_CASE("finding 22.6: the Origin and Referer quoted in a CSRF detail carry no control characters and are capped") {
    django::CsrfSettings s;
    auto check = [&](const char* name, const std::string& value, bool secure) {
        http::Request r = post("csrftoken=" + kSecret, &kSecret, secure);
        r.add_header(name, value);
        return django::check_csrf(r, s);
    };
    const auto origin = check("Origin", "https://evil.com\r\nSet-Cookie: x=\"1\"\x1b", false);
    REQUIRE(origin);
    CHECK(*origin ==
          "Origin checking failed - https://evil.com\\x0d\\x0aSet-Cookie: x=\"1\"\\x1b does not match any trusted "
          "origins.");
    const auto long_origin = check("Origin", "https://" + std::string(8000, 'a') + ".com", false);
    REQUIRE(long_origin);
    CHECK(long_origin->size() < 300);
    CHECK(long_origin->find("aaa... does not match any trusted origins.") != std::string::npos);
    const auto referer = check("Referer", "https://evil.com/\x01" + std::string(8000, 'b'), true);
    REQUIRE(referer);
    CHECK(referer->find('\x01') == std::string::npos);
    CHECK(referer->find("https://evil.com/\\x01bbb") != std::string::npos);
    CHECK(referer->size() < 300);
}
