#include "core/passwords/password_hasher.h"

#include "core/crypto/random.h"
#include "core/passwords/pbkdf2_password_hasher.h"

namespace authpolicy::passwords {
namespace {

constexpr std::string_view kSaltAlphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
constexpr size_t kSaltLength = 22;  // ceil(128 / log2(62)), Django ≥ 3.2

}  // namespace

PasswordHashers::PasswordHashers(unsigned iterations) : iterations_(iterations) {
    hashers_.push_back(std::make_unique<Pbkdf2PasswordHasher>(crypto::DigestAlgorithm::Sha256));
    hashers_.push_back(std::make_unique<Pbkdf2PasswordHasher>(crypto::DigestAlgorithm::Sha1));
}

std::string PasswordHashers::make(std::string_view password) const {
    const auto& preferred = static_cast<const Pbkdf2PasswordHasher&>(*hashers_.front());
    return preferred.encode(password, crypto::random_string(kSaltAlphabet, kSaltLength), iterations_);
}

VerifyResult PasswordHashers::verify(std::string_view password, std::string_view encoded) const {
    if (!is_usable(encoded) || password.size() > kMaxPasswordBytes) return {};
    const std::string_view algorithm = encoded.substr(0, encoded.find('$'));
    for (const auto& hasher : hashers_) {
        if (hasher->algorithm() == algorithm) return hasher->verify(password, encoded, iterations_);
    }
    return {};
}

void PasswordHashers::run_dummy(std::string_view password) const {
    std::call_once(dummy_once_, [this] { dummy_encoded_ = make("dummy password for timing equalisation"); });
    (void)hashers_.front()->verify(password.substr(0, kMaxPasswordBytes), dummy_encoded_, iterations_);
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
