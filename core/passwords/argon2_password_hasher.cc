#include "core/passwords/argon2_password_hasher.h"

#include <argon2.h>

#include <charconv>
#include <optional>
#include <string>

namespace authpolicy::passwords {
namespace {

// Reads "name=<number>" from a comma-separated parameter list.
std::optional<unsigned long> param(std::string_view params, std::string_view name) {
    size_t pos = 0;
    while (pos <= params.size()) {
        size_t end = params.find(',', pos);
        if (end == std::string_view::npos) end = params.size();
        const std::string_view item = params.substr(pos, end - pos);
        if (item.size() > name.size() + 1 && item.substr(0, name.size()) == name && item[name.size()] == '=') {
            unsigned long v = 0;
            const std::string_view digits = item.substr(name.size() + 1);
            const auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v);
            if (ec != std::errc() || p != digits.data() + digits.size()) return std::nullopt;
            return v;
        }
        pos = end + 1;
    }
    return std::nullopt;
}

}  // namespace

VerifyResult Argon2PasswordHasher::verify(std::string_view password, std::string_view encoded, unsigned) const {
    VerifyResult result;
    // argon2$<variant>$v=19$m=…,t=…,p=…$salt$hash (very old hashes lack the v= part)
    if (encoded.substr(0, 7) != "argon2$") return result;
    const std::string_view phc = encoded.substr(6);  // "$argon2id$…"
    argon2_type type;
    if (phc.substr(0, 10) == "$argon2id$") {
        type = Argon2_id;
    } else if (phc.substr(0, 9) == "$argon2i$") {
        type = Argon2_i;
    } else if (phc.substr(0, 9) == "$argon2d$") {
        type = Argon2_d;
    } else {
        return result;
    }
    size_t params_at = phc.find("$m=");
    if (params_at == std::string_view::npos) return result;
    const size_t params_end = phc.find('$', params_at + 1);
    if (params_end == std::string_view::npos) return result;
    const std::string_view params = phc.substr(params_at + 1, params_end - params_at - 1);
    const auto m = param(params, "m"), t = param(params, "t"), p = param(params, "p");
    if (!m || !t || !p || *m > kMaxMemoryKiB || *t > kMaxTime || *p > kMaxLanes || *p == 0) return result;
    result.recognised = true;
    const std::string phc_text(phc);  // NUL-terminated for the C library
    result.matches = argon2_verify(phc_text.c_str(), password.data(), password.size(), type) == ARGON2_OK;
    // Django's must_update compares with its current parameters; any other algorithm is preferred here.
    result.needs_rehash = true;
    return result;
}

}  // namespace authpolicy::passwords
