// Django-format, self-describing password hashes: "<algorithm>$<params…>$<salt>$<hash>".
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace authpolicy::passwords {

struct VerifyResult {
    bool matches = false;
    bool needs_rehash = false;  // another algorithm, too few iterations or a short salt
    bool recognised = false;    // the format belonged to a known hasher
    bool cheaper = false;       // fewer iterations than configured: faster to check than the default
};

// One algorithm. Implementations are stateless and thread-safe.
class PasswordHasher {
  public:
    virtual ~PasswordHasher() = default;
    virtual std::string_view algorithm() const = 0;
    virtual VerifyResult verify(std::string_view password, std::string_view encoded, unsigned min_iterations) const = 0;
};

// Django's maximum: longer passwords are refused before any hashing (CVE-2013-1443).
inline constexpr size_t kMaxPasswordBytes = 4096;
// Django 5.2's PBKDF2 default.
inline constexpr unsigned kDefaultIterations = 1000000;

// The hashers an engine accepts, the first being the one new hashes use.
class PasswordHashers {
  public:
    explicit PasswordHashers(unsigned iterations = kDefaultIterations);

    unsigned iterations() const { return iterations_; }
    // Encodes with pbkdf2_sha256, a fresh 22-character salt and the configured iterations.
    std::string make(std::string_view password) const;
    // Unknown or malformed formats and unusable passwords ("!…", "") never match.
    VerifyResult verify(std::string_view password, std::string_view encoded) const;
    // Spends the time of one verification with the default hasher (unknown users, Django #20760).
    void run_dummy(std::string_view password) const;
    // How many such equalising checks ran (unknown users and harden_runtime): the observable
    // part of a timing defence, which a test can pin without measuring time.
    std::uint64_t dummy_runs() const { return dummy_runs_.load(std::memory_order_relaxed); }
    // Django's PASSWORD_HASHERS: only these algorithms verify (empty = every built-in one except
    // the legacy md5/sha1/unsalted formats). Set before the engine serves requests.
    void set_allowed(std::vector<std::string> algorithms) { allowed_ = std::move(algorithms); }
    // Called with the algorithm of a hash that is allowed but not implemented here (bcrypt,
    // crypt), or of an unknown one; such a hash never matches.
    void set_unsupported_handler(std::function<void(std::string_view)> fn) { on_unsupported_ = std::move(fn); }

  private:
    unsigned iterations_;
    std::vector<std::unique_ptr<PasswordHasher>> hashers_;
    std::vector<std::string> allowed_;
    std::function<void(std::string_view)> on_unsupported_;
    mutable std::once_flag dummy_once_;
    mutable std::string dummy_encoded_;  // made on first use: costs one full hash
    mutable std::atomic<std::uint64_t> dummy_runs_{0};
};

// "!" followed by 40 random characters, as Django's make_password(None).
std::string make_unusable_password();
bool is_usable(std::string_view encoded);

}  // namespace authpolicy::passwords
