// Django's salted_hmac, signing and session data (drf-spec §7.1, §7.3, §7.4 vectors).
#include <doctest/doctest.h>

#include "core/authn/session_authenticator.h"
#include "core/crypto/base64.h"
#include "core/crypto/hex.h"
#include "core/crypto/salted_hmac.h"
#include "core/django/signing.h"

using namespace authpolicy;

namespace {
django::SigningRules rules(std::vector<std::string> secrets, bool v32 = false, bool fallbacks = false) {
    django::SigningRules r;
    r.secrets = std::move(secrets);
    r.accept_sha1 = v32;
    r.legacy_session_format = v32;
    r.use_fallbacks = fallbacks;
    return r;
}
}  // namespace

TEST_CASE("salted_hmac: drf-spec §7.1 vectors") {
    CHECK(crypto::to_hex(crypto::salted_hmac(crypto::DigestAlgorithm::Sha1, "k", "v", "s")) ==
          "89a91c6181028ec4bb2539e8b29d07a240ecde7c");
    CHECK(crypto::to_hex(crypto::salted_hmac(crypto::DigestAlgorithm::Sha256, "k", "v", "s")) ==
          "170511ad2bac3ae25f219b9fc53905760f43368b2f2709ce29e7ecf2c9a13478");
}

TEST_CASE("signing: loads of Django's dumps (drf-spec §7.3)") {
    const auto r = rules({"test-secret-key"});
    CHECK(django::loads("ImhlbGxvIg:1r31eq:Pt-bTENZTU-EBzJ8DB66Phmdjdr5htmBYRqR7xw7fHk", r, "django.core.signing") ==
          "\"hello\"");
    CHECK(django::loads("eyJhIjoxfQ:1r31eq:mvqAFpOL1fZXbE9_M4qDR7eYKgZG_5R2MwsvV9eChd8", r,
                        "django.contrib.sessions.SessionStore") == "{\"a\":1}");
    // Wrong salt, wrong key, a tampered payload or signature: rejected.
    CHECK_FALSE(django::loads("ImhlbGxvIg:1r31eq:Pt-bTENZTU-EBzJ8DB66Phmdjdr5htmBYRqR7xw7fHk", r, "other"));
    CHECK_FALSE(django::loads("ImhlbGxvIg:1r31eq:Pt-bTENZTU-EBzJ8DB66Phmdjdr5htmBYRqR7xw7fHk", rules({"nope"}),
                              "django.core.signing"));
    CHECK_FALSE(
        django::loads("ImhlbGxvIh:1r31eq:Pt-bTENZTU-EBzJ8DB66Phmdjdr5htmBYRqR7xw7fHk", r, "django.core.signing"));
    CHECK_FALSE(
        django::loads("ImhlbGxvIg:1r31eq:Pt-bTENZTU-EBzJ8DB66Phmdjdr5htmBYRqR7xw7fHK", r, "django.core.signing"));
    CHECK_FALSE(django::loads("", r, "django.core.signing"));
    CHECK_FALSE(django::loads(":::", r, "django.core.signing"));
}

TEST_CASE("signing: fallback keys (4.1+) and SHA-1 signatures (3.2)") {
    const std::string value = "ImhlbGxvIg:1r31eq";
    const std::string old_signed = value + ":" + django::signature(value, "old-key", "django.core.signing", false);
    CHECK_FALSE(django::loads(old_signed, rules({"new-key", "old-key"}), "django.core.signing"));
    CHECK(django::loads(old_signed, rules({"new-key", "old-key"}, false, true), "django.core.signing") == "\"hello\"");
    const std::string sha1_signed = value + ":" + django::signature(value, "k", "django.core.signing", true);
    CHECK(django::loads(sha1_signed, rules({"k"}, true), "django.core.signing") == "\"hello\"");
    CHECK_FALSE(django::loads(sha1_signed, rules({"k"}), "django.core.signing"));
}

TEST_CASE("sessions: compressed session data (drf-spec §7.4 vector)") {
    const std::string data =
        ".eJyrVopPLC3JiC8tTi2Kz0xRslIyVNJBFktKTM5OzQNJpGQl5qXn6yXn55UUZSbpgZToQWWL9XzzU1JznKBqUQzISCzOAOpOTEpWqgUAjnEnc"
        "w:"
        "1r31eq:0gBguih2OrpFxX-_yZtfKcUuflrmSR2-mjr1wB7u820";
    CHECK(django::decode_session_data(data, rules({"test-secret-key"})) ==
          "{\"_auth_user_id\":\"1\",\"_auth_user_backend\":\"django.contrib.auth.backends.ModelBackend\","
          "\"_auth_user_hash\":\"abc\"}");
    CHECK_FALSE(django::decode_session_data(data, rules({"another-key"})));
}

TEST_CASE("sessions: the pre-3.1 format is read by 3.2 only") {
    const std::string json = "{\"_auth_user_id\":\"1\"}";
    const std::string hash = crypto::to_hex(
        crypto::salted_hmac(crypto::DigestAlgorithm::Sha1, "django.contrib.sessionsSessionStore", json, "k"));
    const std::string legacy = crypto::base64_encode(hash + ":" + json);
    CHECK(django::decode_session_data(legacy, rules({"k"}, true)) == json);
    CHECK_FALSE(django::decode_session_data(legacy, rules({"k"}, false)));
    CHECK_FALSE(django::decode_session_data(legacy, rules({"other"}, true)));
}

TEST_CASE("sessions: Django's session auth hash (drf-spec §7.4 vector)") {
    CHECK(authn::django_session_auth_hash(
              "pbkdf2_sha256$600000$seasalt1234567890ab$onN/rsvOMH6Mx0EUUEfOKKMOCUkoiFVUep50fNYnS+E=",
              "test-secret-key") == "a446906e388324484a4eab067b275cbe03c590d50cb3fba2ea69bb9658004cf0");
}
