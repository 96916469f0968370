// Sender-constrained access tokens for the bearer authenticators (JWTAuthentication,
// OAuth2Authentication): the "dpop" mode (RFC 9449) with its proof, key binding and replay
// checks, certificate binding (RFC 8705), and the challenges both ask for (RFC 9449 §7.1).
// The authenticator verifies the token; this class decides whether the sender may use it.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/authn/authenticator.h"
#include "core/authn/dpop_nonce.h"
#include "core/authn/dpop_proof.h"
#include "core/authn/dpop_replay_store.h"
#include "core/http/request.h"

namespace authpolicy::authn {

struct SenderConstraintSettings {
    enum class Dpop { Off, Allowed, Required };
    Dpop dpop = Dpop::Off;
    DpopProofPolicy proof;
    size_t replay_capacity = 100000;  // jti entries held at most (about 100 bytes each), own store only
    std::string client_cert_header;   // lowercase; empty: no proxy's certificate header is trusted
    bool nonce = false;               // "dpop_nonce": require server nonces (RFC 9449 §9)
    std::string nonce_secret;         // from "dpop_nonce_secret_env"; empty: a random one per engine
};

// Consumes the sender-constraint options (dpop, dpop_algorithms, dpop_max_age, dpop_leeway,
// dpop_replay_capacity, client_cert_header); false for other keys. Throws Error(Config).
bool take_sender_option(const std::string& key, const nlohmann::json& value, const std::string& at,
                        SenderConstraintSettings& settings);
// After all options: the dpop_* tuning options need "dpop", and dpop_replay_capacity sizes the
// class's own store (so not beside DPOP_REPLAY_BACKEND, `shared_store`). Throws Error(Config).
void check_sender_options(const nlohmann::json& options, const SenderConstraintSettings& settings,
                          const std::string& where, bool shared_store);
inline constexpr const char* kSenderOptionNames =
    "dpop, dpop_algorithms, dpop_max_age, dpop_leeway, dpop_replay_capacity, dpop_nonce, dpop_nonce_secret_env, "
    "client_cert_header";

// The token's confirmation ("cnf", RFC 7800): empty strings when absent.
struct Confirmation {
    std::string jkt;       // RFC 9449 §6: the DPoP key's thumbprint
    std::string x5t_s256;  // RFC 8705 §3.1: the client certificate's SHA-256 thumbprint
};
// Reads "cnf" from JWT claims or an introspection answer; nullptr or a fixed description.
const char* read_confirmation(const nlohmann::json& object, Confirmation& out);

struct PresentedToken {
    enum class Kind { Absent, Malformed, Bearer, Dpop };
    Kind kind = Kind::Absent;
    std::string_view token;
    const char* problem = "";  // Malformed
};

class SenderConstraint {
  public:
    // `replay`: the engine's DPOP_REPLAY_BACKEND store; null: a memory store of this class's own
    // (dpop_replay_capacity entries), as before DPOP_REPLAY_BACKEND existed.
    SenderConstraint(SenderConstraintSettings settings, std::string realm,
                     std::shared_ptr<DpopReplayStore> replay = nullptr);

    // "Authorization: Bearer …", or "DPoP …" when DPoP is on (off: another scheme, Absent).
    PresentedToken read(const http::Request& request) const;
    // A refusal before the token is looked at: Bearer in required mode.
    std::optional<AuthOutcome> refuse_scheme(const PresentedToken& presented) const;
    // A token error (code invalid_token) re-challenged with the scheme the client used.
    AuthOutcome adapt(AuthOutcome failed, const PresentedToken& presented) const;
    // After the token verified: the proof, the key binding, replay and certificate binding.
    // A Failed outcome, or NotApplicable meaning "the sender may use it". Throws Error(Store)
    // when the replay store cannot answer.
    AuthOutcome check(const http::Request& request, const PresentedToken& presented, const Confirmation& cnf,
                      double now) const;
    // The WWW-Authenticate value when no credentials were sent.
    const std::string& challenge() const { return challenge_; }

  private:
    std::string dpop_challenge(std::string_view code, std::string_view description) const;
    AuthOutcome dpop_error(const char* code, const char* description) const;

    SenderConstraintSettings settings_;
    std::string realm_;
    std::string algs_;  // "ES256 RS256 …" for the algs challenge parameter
    std::string challenge_;
    std::shared_ptr<DpopReplayStore> replay_;  // null: DPoP is off
    std::unique_ptr<DpopNonces> nonces_;       // null: nonces are off
};

}  // namespace authpolicy::authn
