#include "core/crypto/base64.h"

#include <openssl/evp.h>

namespace authpolicy::crypto {
namespace {

bool in_alphabet(unsigned char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/';
}

// Decodes canonical, padded base64 whose length is a multiple of 4.
std::optional<std::string> decode_canonical(std::string_view text) {
    if (text.size() % 4 != 0) return std::nullopt;
    if (text.empty()) return std::string();
    std::string out(text.size() / 4 * 3, '\0');
    const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                  reinterpret_cast<const unsigned char*>(text.data()), static_cast<int>(text.size()));
    if (n < 0) return std::nullopt;
    // EVP_DecodeBlock counts padding as zero bytes; drop them.
    size_t pad = 0;
    if (text[text.size() - 1] == '=') ++pad;
    if (text[text.size() - 2] == '=') ++pad;
    out.resize(static_cast<size_t>(n) - pad);
    return out;
}

}  // namespace

std::string base64_encode(std::string_view bytes) {
    std::string out((bytes.size() + 2) / 3 * 4 + 1, '\0');
    const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                  reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
    out.resize(static_cast<size_t>(n));
    return out;
}

std::optional<std::string> base64_decode(std::string_view text) {
    if (text.size() % 4 != 0) return std::nullopt;
    size_t pad = 0;
    for (size_t i = 0; i < text.size(); ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c == '=') {
            // Padding only in the last two positions, and nothing but padding after it.
            if (i + 2 < text.size()) return std::nullopt;
            ++pad;
        } else if (!in_alphabet(c) || pad > 0) {
            return std::nullopt;
        }
    }
    return decode_canonical(text);
}

std::optional<std::string> base64_decode_lenient(std::string_view text) {
    std::string kept;
    kept.reserve(text.size());
    unsigned quad_pos = 0;  // position inside the current 4-character group
    unsigned pads = 0;      // '=' seen since the last data character
    bool ended_by_padding = false;
    for (unsigned char c : text) {
        if (c == '=') {
            // Python: a pad only counts once two data characters of the group are present.
            if (quad_pos >= 2 && quad_pos + ++pads >= 4) {
                ended_by_padding = true;
                break;
            }
            continue;
        }
        if (!in_alphabet(c)) continue;
        pads = 0;
        kept.push_back(static_cast<char>(c));
        quad_pos = (quad_pos + 1) % 4;
    }
    if (!ended_by_padding && quad_pos != 0) return std::nullopt;
    while (kept.size() % 4 != 0) kept.push_back('=');
    return decode_canonical(kept);
}

}  // namespace authpolicy::crypto
