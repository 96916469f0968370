// Django signing and sessions (core/django): signed values (Signer.unsign, signing.loads with
// zlib), session data in both formats, CSRF token unmasking, domain matching and the whole CSRF
// check on a request.
// Oracles: a value that unsigns carries a signature an independent computation (the library's
// own `signature`, under one of the secrets) reproduces; decoded data is never larger than the
// decompression cap; an unmasked CSRF secret has 32 characters; nothing throws but
// std::bad_alloc or authpolicy::Error.
// Input: FuzzedDataProvider: a selector, flags, then the text.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstdint>
#include <string>

#include "core/common/error.h"
#include "core/django/csrf.h"
#include "core/django/signing.h"
#include "core/http/request.h"
#include "fuzz_support.h"

namespace {

using authp_fuzz::require;
using namespace authpolicy::django;

SigningRules rules(FuzzedDataProvider& p) {
    SigningRules r;
    r.secrets = {"django-insecure-fuzz-secret", "old-secret"};
    r.accept_sha1 = p.ConsumeBool();
    r.use_fallbacks = p.ConsumeBool();
    r.legacy_session_format = p.ConsumeBool();
    return r;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    FuzzedDataProvider p(data, size);
    const int which = p.ConsumeIntegralInRange(0, 4);
    const SigningRules r = rules(p);
    const std::string salt = p.ConsumeBool() ? "django.contrib.sessions.SessionStore" : "";
    const std::string text = p.ConsumeRemainingBytesAsString();
    try {
        switch (which) {
            case 0: {
                if (const auto v = unsign(text, r, salt)) {
                    const std::string sig = text.substr(text.rfind(':') + 1);
                    bool reproduced = false;
                    const size_t n = r.use_fallbacks ? r.secrets.size() : 1;
                    for (size_t i = 0; i < n; ++i)
                        for (const bool sha1 : {false, true})
                            reproduced = reproduced ||
                                         (((!sha1) || r.accept_sha1) && signature(*v, r.secrets[i], salt, sha1) == sig);
                    require(reproduced, "unsign: only a value signed with an accepted secret and algorithm passes");
                }
                break;
            }
            case 1:
                if (const auto v = loads(text, r, salt)) require(v->size() <= kMaxDecompressed, "loads: capped");
                break;
            case 2:
                if (const auto v = decode_session_data(text, r))
                    require(v->size() <= kMaxDecompressed, "session: capped");
                break;
            case 3: {
                if (const auto s = unmask_csrf_token(text)) require(s->size() == kCsrfSecretLength, "CSRF secret: 32");
                if (const auto b = b64_decode(text)) (void)b64_encode(*b);
                (void)is_same_domain(text, ".example.com");
                (void)is_same_domain("api.example.com", text);
                break;
            }
            case 4: {
                // The CSRF check of an unsafe request whose cookie, header and Origin come from the input.
                authpolicy::http::Request req;
                req.set_method("POST");
                req.set_secure(true);
                const size_t a = text.size() / 3, b = 2 * text.size() / 3;
                req.add_header("Cookie", "csrftoken=" + text.substr(0, a));
                req.add_header("X-CSRFToken", text.substr(a, b - a));
                req.add_header("Origin", text.substr(b));
                req.add_header("Host", "api.example.com");
                CsrfSettings settings;
                settings.trusted_origins = {"https://*.example.com"};
                (void)check_csrf(req, settings);
                settings.django32 = true;
                settings.trusted_origins = {".example.com"};
                (void)check_csrf(req, settings);
                break;
            }
        }
    } catch (const authpolicy::Error&) {
        // Request caps (a header over 8 KiB) are Errors by design.
    }
    return 0;
}
