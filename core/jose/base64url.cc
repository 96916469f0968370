#include "core/jose/base64url.h"

#include <array>
#include <cstdint>

#include <openssl/evp.h>

namespace authpolicy::jose {
namespace {

// The URL-safe alphabet's two extra characters become the standard ones, so OpenSSL's
// EVP_EncodeBlock / EVP_DecodeBlock do the coding; -1 marks a byte outside the alphabet.
constexpr std::array<int8_t, 256> make_values() {
    std::array<int8_t, 256> t{};
    for (auto& v : t) v = -1;
    constexpr char kUrlAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    for (int i = 0; i < 64; ++i) t[static_cast<unsigned char>(kUrlAlphabet[i])] = static_cast<int8_t>(i);
    return t;
}
constexpr std::array<int8_t, 256> kValues = make_values();

}  // namespace

std::string base64url_encode(std::string_view bytes) {
    std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
    const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                  reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
    out.resize(static_cast<size_t>(n));
    while (!out.empty() && out.back() == '=') out.pop_back();
    for (char& c : out) {
        if (c == '+') c = '-';
        if (c == '/') c = '_';
    }
    return out;
}

bool base64url_decode_into(std::string_view text, std::string& out) {
    out.clear();
    const size_t rest = text.size() % 4;
    if (rest == 1) return false;
    // Validate and translate in one pass; '=' and whitespace are outside the alphabet.
    const size_t pad = rest ? 4 - rest : 0;
    std::string standard(text.size() + pad, '=');
    for (size_t i = 0; i < text.size(); ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (kValues[c] < 0) return false;
        standard[i] = c == '-' ? '+' : c == '_' ? '/' : static_cast<char>(c);
    }
    // Unused trailing bits must be zero: one encoding per byte string (RFC 4648 §3.5).
    if (rest == 2 && (kValues[static_cast<unsigned char>(text.back())] & 0x0f) != 0) return false;
    if (rest == 3 && (kValues[static_cast<unsigned char>(text.back())] & 0x03) != 0) return false;
    out.resize(standard.size() / 4 * 3);
    const int n =
        EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                        reinterpret_cast<const unsigned char*>(standard.data()), static_cast<int>(standard.size()));
    if (n < 0) return false;
    // EVP_DecodeBlock counts the bytes the padding stands for; drop them.
    out.resize(static_cast<size_t>(n) - pad);
    return true;
}

std::optional<std::string> base64url_decode(std::string_view text) {
    std::string out;
    if (!base64url_decode_into(text, out)) return std::nullopt;
    return out;
}

}  // namespace authpolicy::jose
