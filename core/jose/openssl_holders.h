// Owners of the OpenSSL objects core/jose makes, and its one way to report OpenSSL's own
// failures (never a bad key or a bad signature: those are KeyError and `false`).
#pragma once

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include <memory>
#include <string>

#include "core/common/error.h"

namespace authpolicy::jose {

[[noreturn]] inline void crypto_fail(const char* what) {
    throw Error(ErrorCode::Crypto, std::string("OpenSSL failed: ") + what);
}

// A deleter that calls OpenSSL's own free function for the type.
template <auto FreeFn>
struct Freer {
    template <class T>
    void operator()(T* p) const {
        FreeFn(p);
    }
};
using PkeyFree = Freer<EVP_PKEY_free>;
using PkeyHolder = std::unique_ptr<EVP_PKEY, PkeyFree>;
using PkeyCtxFree = Freer<EVP_PKEY_CTX_free>;
using BnFree = Freer<BN_free>;
using BldFree = Freer<OSSL_PARAM_BLD_free>;
using ParamFree = Freer<OSSL_PARAM_free>;
using MdCtxFree = Freer<EVP_MD_CTX_free>;
using MacCtxFree = Freer<EVP_MAC_CTX_free>;
using SigFree = Freer<ECDSA_SIG_free>;

}  // namespace authpolicy::jose
