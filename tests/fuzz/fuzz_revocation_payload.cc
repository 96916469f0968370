// The PostgreSQL revocation notice (NOTIFY authp_revocation payloads, docs/postgresql.md): anyone
// who can connect to the database can send one, so decode_revocation sees arbitrary text.
// Oracles: a decoded notice names one key or one user, never "everything"; a key's digest is
// exactly the 64 hex digits sent (any case); a user id is positive and is the decimal sent.
// Input: the payload.
#include <cctype>
#include <cstdint>
#include <string>

#include "core/crypto/hex.h"
#include "core/directory/postgres/pg_listener.h"
#include "fuzz_support.h"

namespace {
using authp_fuzz::require;
using authpolicy::directory::Revocation;

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view payload(reinterpret_cast<const char*>(data), size);
    const auto r = authpolicy::directory::postgres::decode_revocation(payload);
    if (!r) return 0;
    require(r->kind != Revocation::Kind::Everything, "a notice never drops every cache");
    require(payload.size() > 2 && payload[1] == ':', "a decoded notice is <kind>:<body>");
    const std::string_view body = payload.substr(2);
    if (r->kind == Revocation::Kind::User) {
        require(payload[0] == 'u', "a user notice starts with u:");
        require(r->user_id > 0, "a user id is positive");
        require(std::to_string(r->user_id) == std::string(body).erase(0, body.find_first_not_of('0')),
                "a user id is the decimal sent");
        return 0;
    }
    require(payload[0] == 't' || payload[0] == 'o' || payload[0] == 's', "a key notice starts with t:, o: or s:");
    const std::string hex =
        authpolicy::crypto::to_hex(std::string_view(reinterpret_cast<const char*>(r->digest.data()), r->digest.size()));
    require(hex == lower(body), "a key's digest is the 64 hex digits sent");
    return 0;
}
