#include "core/authn/scoped_auth.h"

#include <algorithm>
#include <memory>

#include <nlohmann/json.hpp>

namespace authpolicy::authn {
namespace {

struct ScopedAuth {
    std::string json;
    std::vector<std::string> scopes;
};

struct ScopedAuthDeleter {
    ScopedAuth* holder;
    void operator()(const std::string*) const { delete holder; }
};

const std::vector<std::string>* attached(const AuthValue& auth) {
    const auto* d = std::get_deleter<ScopedAuthDeleter>(auth);
    return d != nullptr ? &d->holder->scopes : nullptr;
}

}  // namespace

AuthValue make_scoped_auth(std::string json, std::vector<std::string> scopes) {
    auto* holder = new ScopedAuth{std::move(json), std::move(scopes)};
    // If the control block cannot be allocated, shared_ptr calls the deleter itself.
    return AuthValue(&holder->json, ScopedAuthDeleter{holder});
}

bool auth_scopes(const AuthValue& auth, std::vector<std::string>& out) {
    out.clear();
    if (!auth) return false;
    if (const auto* s = attached(auth)) {
        out = *s;
        return true;
    }
    const auto j = nlohmann::json::parse(*auth, nullptr, false);
    if (!j.is_object()) return false;
    if (auto it = j.find("scopes"); it != j.end() && it->is_array()) {
        for (const auto& v : *it) {
            if (v.is_string()) out.push_back(v.get<std::string>());
        }
        return true;
    }
    if (auto it = j.find("scope"); it != j.end() && it->is_string()) {
        out = split_scope_string(it->get_ref<const std::string&>());
        return true;
    }
    return false;
}

bool auth_has_scopes(const AuthValue& auth, const std::vector<std::string>& required) {
    const std::vector<std::string>* have = auth ? attached(auth) : nullptr;
    std::vector<std::string> parsed;
    if (have == nullptr) {
        if (!auth_scopes(auth, parsed)) return false;
        have = &parsed;
    }
    for (const auto& r : required) {
        if (std::find(have->begin(), have->end(), r) == have->end()) return false;
    }
    return true;
}

std::vector<std::string> split_scope_string(std::string_view scopes) {
    std::vector<std::string> out;
    size_t i = 0;
    while (i < scopes.size()) {
        const size_t j = std::min(scopes.find(' ', i), scopes.size());
        if (j > i) out.emplace_back(scopes.substr(i, j - i));
        i = j + 1;
    }
    return out;
}

}  // namespace authpolicy::authn
