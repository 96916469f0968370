// Django-format password hashes: parsing and verification through authp_password_verify (C API)
// and the engine's PasswordHashers (PBKDF2, Argon2, scrypt, legacy formats), with costs capped by
// the harness (see cheap_to_verify: the library honours up to 100,000,000 PBKDF2 iterations and
// 1 GiB Argon2 memory, i.e. minutes per input).
// Oracles: verification returns OK for any input; a hash made by authp_password_hash verifies
// with its password and not with another one.
// Input: FuzzedDataProvider: password, min_iterations (1..kMaxFuzzIterations), encoded hash.
#include <fuzzer/FuzzedDataProvider.h>

#include <charconv>
#include <cstdint>
#include <string>

#include "core/passwords/password_hasher.h"
#include "fuzz_support.h"

namespace {

using authp_fuzz::require;

constexpr unsigned kMaxFuzzIterations = 64;

// Whether verifying `encoded` stays cheap: every run of digits in it (iterations, Argon2's m/t/p,
// scrypt's n/r/p, …) is at most kMaxFuzzIterations and their product at most 1<<16. Numbers that
// overflow are refused by the hashers before any work, so they pass. Conservative: a digit run in a
// salt or a hash also counts.
bool cheap_to_verify(std::string_view encoded) {
    unsigned long long product = 1;
    for (size_t i = 0; i < encoded.size();) {
        if (encoded[i] < '0' || encoded[i] > '9') {
            ++i;
            continue;
        }
        size_t j = i;
        while (j < encoded.size() && encoded[j] >= '0' && encoded[j] <= '9') ++j;
        unsigned long long n = 0;
        const auto [end, ec] = std::from_chars(encoded.data() + i, encoded.data() + j, n);
        (void)end;
        if (ec == std::errc()) {
            if (n > kMaxFuzzIterations && encoded.rfind("pbkdf2", 0) == 0) return false;
            if (n > 1024) return false;
            if (n > 1) product *= n;
            if (product > (1u << 16)) return false;
        }
        i = j;
    }
    return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static const authpolicy::passwords::PasswordHashers hashers(16);
    FuzzedDataProvider p(data, size);
    const std::string password = p.ConsumeRandomLengthString(5000);
    // The configured cost is capped too: a wrong password against a cheaper stored hash pays one
    // check at min_iterations (finding 22.14, Django's harden_runtime), and 0 means the default
    // 1,000,000, which made one input take over 30 s under ASan (CI, 2026-12-07).
    const unsigned min_iterations = p.ConsumeIntegralInRange<unsigned>(1, kMaxFuzzIterations);
    const std::string encoded = p.ConsumeRemainingBytesAsString();
    if (cheap_to_verify(encoded)) {
        int matches = -1, rehash = -1;
        const int rc = authp_password_verify(&matches, &rehash, password.data(), password.size(), encoded.data(),
                                             encoded.size(), min_iterations);
        require(rc == AUTHP_OK || (rc == AUTHP_EINVALID && password.size() > 4096), "verify returns OK",
                std::string(authp_strerror(rc)) + ": " + authp_error_last());
        if (rc == AUTHP_OK) require(matches == 0 || matches == 1, "matches is 0 or 1");
        const auto r = hashers.verify(password, encoded);
        require(!r.matches || r.recognised, "a match implies a recognised format");
        if (rc == AUTHP_OK) require(r.matches == (matches == 1), "the C API and the core agree on a match");
    }
    // Round trip with a tiny iteration count.
    if (password.size() <= 256) {
        char* made = nullptr;
        const unsigned iterations = 1 + (min_iterations % 8);
        require(authp_password_hash(&made, password.data(), password.size(), iterations) == AUTHP_OK, "hash",
                authp_error_last());
        int matches = 0;
        require(authp_password_verify(&matches, nullptr, password.data(), password.size(), made, std::strlen(made),
                                      iterations) == AUTHP_OK &&
                    matches == 1,
                "a fresh hash verifies with its password");
        const std::string other = password + "x";
        require(authp_password_verify(&matches, nullptr, other.data(), other.size(), made, std::strlen(made),
                                      iterations) == AUTHP_OK &&
                    matches == 0,
                "a fresh hash refuses another password");
        authp_free(made);
    }
    return 0;
}
