// The Authorization header through BasicAuthentication, as the engine evaluates it (C API), plus the
// core steps it is made of: the DRF-style split, strict and lenient (Python) base64, UTF-8
// validation and the latin-1 fallback.
// Input: the raw bytes of one Authorization header value.
#include <cstdint>
#include <string>
#include <string_view>

#include "core/crypto/base64.h"
#include "core/http/credentials_split.h"
#include "core/http/text_encoding.h"
#include "fuzz_support.h"

namespace {

using authp_fuzz::require;

constexpr const char* kPolicy = R"({
  "DEFAULT_AUTHENTICATION_CLASSES": ["BasicAuthentication"],
  "DEFAULT_PERMISSION_CLASSES": ["IsAuthenticated"],
  "PASSWORD_ITERATIONS": 1,
  "LOGIN_FAILURES": null,
  "VIEWS": {"open": {"permission_classes": ["AllowAny"], "perform_authentication": false}}
})";

struct World {
    authp_engine* engine = nullptr;
    World() {
        engine = authp_fuzz::make_engine(kPolicy);
        authp_fuzz::setup(authp_user_add(nullptr, engine, "alice", 5, "secret", 6, 0), "add alice");
        // UTF-8 name and password (the latin-1 fallback path must not reach them by accident).
        authp_fuzz::setup(authp_user_add(nullptr, engine, "zo\xc3\xab", 4, "p\xc3\xa4ss", 5, 0), "add zoe");
        authp_fuzz::setup(authp_user_add(nullptr, engine, "carol", 5, "secret", 6, AUTHP_USER_INACTIVE), "add carol");
        authp_fuzz::setup(authp_user_add(nullptr, engine, "nopass", 6, nullptr, 0, 0), "add nopass");
    }
};

void check_core(std::string_view header) {
    const auto split = authpolicy::http::split_credentials(header);
    require(split.count <= 3, "split count is 0..3");
    for (size_t i = 0; i < split.count && i < 2; ++i) {
        const auto part = split.parts[i];
        require(!part.empty(), "a split part is never empty");
        require(part.data() >= header.data() && part.data() + part.size() <= header.data() + header.size(),
                "split parts point into the header");
        for (const char c : part)
            require(!authpolicy::http::is_python_space(static_cast<unsigned char>(c)),
                    "split parts hold no Python whitespace");
    }
    const auto strict = authpolicy::crypto::base64_decode(header);
    const auto lenient = authpolicy::crypto::base64_decode_lenient(header);
    if (strict) {
        require(lenient.has_value() && *lenient == *strict, "strict base64 success implies the same lenient result");
    }
    // Round trip of arbitrary bytes.
    const std::string encoded = authpolicy::crypto::base64_encode(header);
    const auto back = authpolicy::crypto::base64_decode(encoded);
    require(back.has_value() && *back == header, "base64 round trip");
    const auto back_lenient = authpolicy::crypto::base64_decode_lenient(encoded);
    require(back_lenient.has_value() && *back_lenient == header, "lenient base64 round trip");
    const std::string latin = authpolicy::http::latin1_to_utf8(header);
    require(authpolicy::http::is_valid_utf8(latin), "latin-1 re-encoding is valid UTF-8");
    require(latin.size() >= header.size() && latin.size() <= 2 * header.size(), "latin-1 growth is 1x..2x");
    if (authpolicy::http::is_valid_utf8(header)) {
        bool ascii = true;
        for (const char c : header) ascii = ascii && static_cast<unsigned char>(c) < 0x80;
        if (ascii) require(latin == header, "ASCII is unchanged by the latin-1 re-encoding");
    }
}

int evaluate(authp_engine* engine, std::string_view header, const char* view) {
    authp_request* req = nullptr;
    authp_fuzz::setup(authp_request_new(&req, engine), "authp_request_new");
    (void)authp_request_set_method(req, "GET", 3);
    if (view != nullptr) (void)authp_request_set_view(req, view, std::strlen(view));
    require(authp_request_add_header(req, "Authorization", 13, header.data(), header.size()) == AUTHP_OK,
            "any header value is accepted by the setter (caps are answered 400)");
    authp_decision* d = nullptr;
    const int rc = authp_engine_evaluate(&d, engine, req);
    require(rc == AUTHP_OK, "Basic evaluation reaches a verdict", authp_error_last());
    const int status = authp_fuzz::check_decision(d);
    require(status == 200 || status == 400 || status == 401, "Basic gives 200, 400 or 401", std::to_string(status));
    if (status == 200 && view == nullptr) {
        size_t n = 0;
        const char* name = authp_user_username(authp_decision_user(d), &n);
        const std::string_view who(name, n);
        require(who == "alice" || who == "zo\xc3\xab", "only alice or zoe can authenticate", std::string(who));
    }
    if (status == 401) {
        require(authp_decision_header_count(d) == 1, "a 401 carries the Basic challenge");
    }
    authp_decision_free(d);
    authp_request_free(req);
    return status;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static World world;
    const std::string_view header(reinterpret_cast<const char*>(data), size);
    check_core(header);
    evaluate(world.engine, header, nullptr);
    // The lazy AllowAny view never authenticates: any header is allowed unless it is over a cap.
    const int lazy = evaluate(world.engine, header, "open");
    require(lazy == 200 || (lazy == 400 && size > 8192), "a lazy AllowAny view ignores the header");
    return 0;
}
