#include "core/passwords/password_hasher.h"

#include "core/crypto/random.h"
#include "core/passwords/argon2_password_hasher.h"
#include "core/passwords/legacy_password_hashers.h"
#include "core/passwords/pbkdf2_password_hasher.h"
#include "core/passwords/scrypt_password_hasher.h"

#include <algorithm>

namespace authpolicy::passwords {
namespace {

constexpr std::string_view kSaltAlphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
constexpr size_t kSaltLength = 22;  // ceil(128 / log2(62)), Django ≥ 3.2

}  // namespace

PasswordHashers::PasswordHashers(unsigned iterations) : iterations_(iterations) {
    hashers_.push_back(std::make_unique<Pbkdf2PasswordHasher>(crypto::DigestAlgorithm::Sha256));
    hashers_.push_back(std::make_unique<Pbkdf2PasswordHasher>(crypto::DigestAlgorithm::Sha1));
    hashers_.push_back(std::make_unique<Argon2PasswordHasher>());
    hashers_.push_back(std::make_unique<ScryptPasswordHasher>());
    hashers_.push_back(std::make_unique<SaltedDigestPasswordHasher>(true));
    hashers_.push_back(std::make_unique<SaltedDigestPasswordHasher>(false));
    hashers_.push_back(std::make_unique<UnsaltedDigestPasswordHasher>(true));
    hashers_.push_back(std::make_unique<UnsaltedDigestPasswordHasher>(false));
}

std::string PasswordHashers::make(std::string_view password) const {
    const auto& preferred = static_cast<const Pbkdf2PasswordHasher&>(*hashers_.front());
    return preferred.encode(password, crypto::random_string(kSaltAlphabet, kSaltLength), iterations_);
}

VerifyResult PasswordHashers::verify(std::string_view password, std::string_view encoded) const {
    if (!is_usable(encoded) || password.size() > kMaxPasswordBytes) return {};
    const std::string_view algorithm = identify_algorithm(encoded);
    const bool legacy = algorithm == "md5" || algorithm == "sha1" || algorithm.substr(0, 9) == "unsalted_";
    const bool allowed =
        allowed_.empty() ? !legacy : std::find(allowed_.begin(), allowed_.end(), algorithm) != allowed_.end();
    for (const auto& hasher : hashers_) {
        if (hasher->algorithm() != algorithm) continue;
        if (!allowed) return {};  // Django: "Unknown password hashing algorithm" → no match
        VerifyResult r = hasher->verify(password, encoded, iterations_);
        // Django's harden_runtime: a wrong password against a cheaper hash also pays the configured
        // cost, so it answers no faster than an unknown user (whose dummy check costs that much).
        if (r.recognised && !r.matches && r.cheaper) run_dummy(password);
        return r;
    }
    if (on_unsupported_) on_unsupported_(algorithm);
    return {};
}

void PasswordHashers::run_dummy(std::string_view password) const {
    std::call_once(dummy_once_, [this] { dummy_encoded_ = make("dummy password for timing equalisation"); });
    (void)hashers_.front()->verify(password.substr(0, kMaxPasswordBytes), dummy_encoded_, iterations_);
    dummy_runs_.fetch_add(1, std::memory_order_relaxed);
}

std::string make_unusable_password() {
    std::string out = crypto::random_string(kSaltAlphabet, 40);
    out.insert(out.begin(), '!');
    return out;
}

bool is_usable(std::string_view encoded) {
    return !encoded.empty() && encoded.front() != '!';
}

}  // namespace authpolicy::passwords
