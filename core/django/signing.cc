#include "core/django/signing.h"

#include <zlib.h>

#include "core/crypto/base64.h"
#include "core/crypto/constant_time.h"
#include "core/crypto/hex.h"
#include "core/crypto/salted_hmac.h"

namespace authpolicy::django {
namespace {

constexpr std::string_view kSessionSalt = "django.contrib.sessions.SessionStore";
constexpr std::string_view kLegacySessionSalt = "django.contrib.sessionsSessionStore";

std::optional<std::string> inflate(std::string_view data) {
    z_stream zs{};
    if (inflateInit(&zs) != Z_OK) return std::nullopt;
    std::string out;
    char buf[16384];
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    zs.avail_in = static_cast<uInt>(data.size());
    int rc = Z_OK;
    while (rc == Z_OK) {
        zs.next_out = reinterpret_cast<Bytef*>(buf);
        zs.avail_out = sizeof buf;
        rc = ::inflate(&zs, Z_NO_FLUSH);
        if (rc != Z_OK && rc != Z_STREAM_END) break;
        out.append(buf, sizeof buf - zs.avail_out);
        if (out.size() > kMaxDecompressed) {
            rc = Z_MEM_ERROR;
            break;
        }
        if (rc == Z_OK && zs.avail_in == 0 && zs.avail_out != 0) {
            rc = Z_DATA_ERROR;  // truncated stream
            break;
        }
    }
    inflateEnd(&zs);
    if (rc != Z_STREAM_END) return std::nullopt;
    return out;
}

// JSONSerializer.loads decodes the bytes as latin-1; re-encode them as UTF-8 for the parser.
std::string latin1_to_utf8(std::string_view bytes) {
    std::string out;
    out.reserve(bytes.size());
    for (unsigned char c : bytes) {
        if (c < 0x80) {
            out.push_back(static_cast<char>(c));
        } else {
            out.push_back(static_cast<char>(0xC0 | (c >> 6)));
            out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
        }
    }
    return out;
}

bool is_b62(std::string_view s) {
    if (!s.empty() && s.front() == '-') s.remove_prefix(1);
    if (s.empty()) return false;
    for (char c : s) {
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) return false;
    }
    return true;
}

}  // namespace

std::string b64_encode(std::string_view bytes) {
    std::string s = crypto::base64_encode(bytes);
    while (!s.empty() && s.back() == '=') s.pop_back();
    for (char& c : s) {
        if (c == '+') c = '-';
        if (c == '/') c = '_';
    }
    return s;
}

std::optional<std::string> b64_decode(std::string_view text) {
    std::string s(text);
    for (char& c : s) {
        if (c == '-')
            c = '+';
        else if (c == '_')
            c = '/';
        else if (c == '+' || c == '/')
            c = '!';  // not in the URL-safe alphabet: skipped, as Python does
    }
    s.append((4 - s.size() % 4) % 4, '=');
    return crypto::base64_decode_lenient(s);
}

std::string signature(std::string_view value, std::string_view secret, std::string_view salt, bool sha1) {
    std::string key_salt(salt);
    key_salt += "signer";
    return b64_encode(crypto::salted_hmac(sha1 ? crypto::DigestAlgorithm::Sha1 : crypto::DigestAlgorithm::Sha256,
                                          key_salt, value, secret));
}

std::optional<std::string> unsign(std::string_view signed_value, const SigningRules& rules, std::string_view salt) {
    const size_t sep = signed_value.rfind(':');
    if (sep == std::string_view::npos || rules.secrets.empty()) return std::nullopt;
    const std::string_view value = signed_value.substr(0, sep);
    const std::string_view sig = signed_value.substr(sep + 1);
    const size_t keys = rules.use_fallbacks ? rules.secrets.size() : 1;
    for (size_t k = 0; k < keys; ++k) {
        if (crypto::constant_time_equal(sig, signature(value, rules.secrets[k], salt, false)))
            return std::string(value);
        if (rules.accept_sha1 && crypto::constant_time_equal(sig, signature(value, rules.secrets[k], salt, true)))
            return std::string(value);
    }
    return std::nullopt;
}

std::optional<std::string> loads(std::string_view signed_value, const SigningRules& rules, std::string_view salt) {
    if (signed_value.size() > kMaxSignedValue) return std::nullopt;
    std::optional<std::string> inner = unsign(signed_value, rules, salt);
    if (!inner) return std::nullopt;
    // TimestampSigner: "<payload>:<base62 timestamp>"; without max_age only its form matters.
    const size_t sep = inner->rfind(':');
    if (sep == std::string::npos || !is_b62(std::string_view(*inner).substr(sep + 1))) return std::nullopt;
    std::string_view payload = std::string_view(*inner).substr(0, sep);
    const bool compressed = !payload.empty() && payload.front() == '.';
    if (compressed) payload.remove_prefix(1);
    std::optional<std::string> data = b64_decode(payload);
    if (!data) return std::nullopt;
    if (compressed) {
        data = inflate(*data);
        if (!data) return std::nullopt;
    }
    return latin1_to_utf8(*data);
}

std::optional<std::string> decode_session_data(std::string_view session_data, const SigningRules& rules) {
    if (auto json = loads(session_data, rules, kSessionSalt)) return json;
    if (!rules.legacy_session_format || session_data.size() > kMaxSignedValue) return std::nullopt;
    // Pre-3.1: base64("<sha1 hex of salted_hmac(…, json)>:<json>"), read by 3.1/3.2 only.
    std::string ascii(session_data);
    for (char c : ascii) {
        if (static_cast<unsigned char>(c) >= 0x80) return std::nullopt;
    }
    std::optional<std::string> decoded = crypto::base64_decode_lenient(ascii);
    if (!decoded) return std::nullopt;
    const size_t colon = decoded->find(':');
    if (colon == std::string::npos) return std::nullopt;
    const std::string_view hash = std::string_view(*decoded).substr(0, colon);
    const std::string_view serialized = std::string_view(*decoded).substr(colon + 1);
    const std::string expected =
        crypto::to_hex(crypto::salted_hmac(crypto::DigestAlgorithm::Sha1, kLegacySessionSalt, serialized,
                                           rules.secrets.empty() ? std::string_view() : rules.secrets.front()));
    if (!crypto::constant_time_equal(hash, expected)) return std::nullopt;
    return latin1_to_utf8(serialized);
}

}  // namespace authpolicy::django
