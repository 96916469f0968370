// What authorization servers send back (core/keys): published JWK Sets, server metadata
// (OpenID Connect Discovery / RFC 8414), RFC 7662 introspection answers and Cache-Control.
// Oracles: an accepted key set has 1–100 keys, no shared secret and no duplicate kid; accepted
// metadata names exactly the expected issuer and only URLs the fetcher may fetch; an accepted
// introspection answer is a strict JSON object; freshness always lies within its bounds.
// Input: FuzzedDataProvider: a selector byte, then the text.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstdint>
#include <set>
#include <string>

#include "core/common/error.h"
#include "core/jose/strict_json.h"
#include "core/keys/cache_control.h"
#include "core/keys/discovery.h"
#include "core/keys/introspection_client.h"
#include "core/keys/jwks_document.h"
#include "fuzz_support.h"

namespace {

using authp_fuzz::require;
using namespace authpolicy;

void fuzz_jwks(std::string_view text, bool with_allow_list) {
    const std::vector<jose::Alg> allowed =
        with_allow_list ? std::vector<jose::Alg>{jose::Alg::RS256, jose::Alg::ES256} : std::vector<jose::Alg>{};
    try {
        const keys::RemoteJwks doc = keys::parse_remote_jwks(text, allowed);
        require(!doc.keys.empty() && doc.keys.size() <= keys::kMaxRemoteKeys, "jwks: 1 to 100 keys");
        std::set<std::string> kids;
        for (const auto& k : doc.keys) {
            require(!k->symmetric(), "jwks: a published set never yields a shared secret");
            require(k->kid().empty() || kids.insert(k->kid()).second, "jwks: kids are unique");
        }
    } catch (const jose::KeyError&) {
    } catch (const Error& e) {
        require(e.code() == ErrorCode::Crypto, "jwks: only KeyError or an OpenSSL failure");
    }
}

void fuzz_metadata(std::string_view text) {
    const std::string issuer = "https://id.example";
    try {
        const keys::ServerMetadata m = keys::parse_server_metadata(text, issuer, false);
        require(m.issuer == issuer, "metadata: the issuer is exactly the expected one");
        for (const std::string* url : {&m.jwks_uri, &m.introspection_endpoint})
            require(url->empty() || !keys::url_problem(*url, false), "metadata: only fetchable URLs");
    } catch (const Error& e) {
        require(e.code() == ErrorCode::Store, "metadata: failures are Error(Store)");
    }
}

void fuzz_introspection(std::string_view text) {
    bool accepted = true;
    try {
        require(keys::checked_introspection_answer(text) == text, "introspection: the answer is passed on as is");
    } catch (const Error& e) {
        require(e.code() == ErrorCode::Store, "introspection: failures are Error(Store)");
        accepted = false;
    }
    require(accepted == jose::parse_strict_object(text).has_value(), "introspection: accepted iff strict object");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    FuzzedDataProvider in(data, size);
    const uint8_t selector = in.ConsumeIntegral<uint8_t>();
    const std::string text = in.ConsumeRemainingBytesAsString();
    switch (selector % 5) {
        case 0: fuzz_jwks(text, false); break;
        case 1: fuzz_jwks(text, true); break;
        case 2: fuzz_metadata(text); break;
        case 3: fuzz_introspection(text); break;
        default: {
            const keys::TtlBounds b{1, 600, 300};
            const double s = keys::freshness_seconds(text, b);
            require(s >= b.min && s <= b.max, "cache-control: freshness within its bounds");
        }
    }
    return 0;
}
