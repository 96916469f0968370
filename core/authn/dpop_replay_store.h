// Where DPoP proof "jti"s are remembered (RFC 9449 §11.1): a proof is accepted once within its
// window. DPOP_REPLAY_BACKEND chooses the store, as THROTTLE_BACKEND chooses the throttle's:
// memory (one process), Redis or PostgreSQL (every server that shares it, so a proof accepted
// by one server is refused by all the others).
#pragma once

#include "core/crypto/digest.h"

namespace authpolicy::authn {

class DpopReplayStore {
  public:
    enum class Result {
        Fresh,     // recorded now: the proof may be used
        Replayed,  // already recorded and not yet expired
        Full,      // cannot be recorded (a bounded store at its cap): refuse, never forget early
    };
    virtual ~DpopReplayStore() = default;
    // Records `digest` (SHA-256 of the proof key's thumbprint and the jti) until `expires`, in
    // one atomic step: of concurrent calls with one digest, exactly one is Fresh. Times are Unix
    // seconds. Throws Error(Store) when the backend cannot answer (down, slow, malformed reply):
    // the engine's safe denial (503, AUTHP_ESTORE), since an unrecorded jti could be replayed.
    virtual Result remember(const crypto::Sha256& digest, double expires, double now) = 0;
};

}  // namespace authpolicy::authn
