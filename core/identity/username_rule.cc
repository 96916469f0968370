#include "core/identity/username_rule.h"

#include <utf8proc.h>

#include <cstdlib>
#include <memory>

#include "core/common/error.h"
#include "core/http/text_encoding.h"

namespace authpolicy::identity {
namespace {

[[noreturn]] void refuse(const char* why) {
    throw Error(ErrorCode::Invalid, std::string("username ") + why);
}

bool forbidden(utf8proc_int32_t cp) {
    if (cp == ':') return true;
    const utf8proc_property_t* p = utf8proc_get_property(cp);
    if (p->ignorable) return true;  // U+200B, U+2060, U+FEFF, U+3164, …: invisible
    switch (p->category) {
        case UTF8PROC_CATEGORY_CC:  // control
        case UTF8PROC_CATEGORY_CF:  // format: U+200E/F, U+202A–E, U+2066–9 (bidirectional controls)
        case UTF8PROC_CATEGORY_ZS:  // space separators
        case UTF8PROC_CATEGORY_ZL:
        case UTF8PROC_CATEGORY_ZP:
        case UTF8PROC_CATEGORY_CS:  // surrogates (cannot be valid UTF-8, checked anyway)
        case UTF8PROC_CATEGORY_CN:  // unassigned: no normal form yet
            return true;
        default: return false;
    }
}

}  // namespace

std::string normalize_new_username(std::string_view name) {
    if (name.empty()) refuse("must be 1 to 150 bytes");
    if (name.size() > 4 * kMaxUsernameBytes) refuse("must be 1 to 150 bytes");  // before any work
    if (!http::is_valid_utf8(name)) refuse("is not valid UTF-8");
    utf8proc_uint8_t* mapped = nullptr;
    const utf8proc_ssize_t n =
        utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(name.data()), static_cast<utf8proc_ssize_t>(name.size()),
                     &mapped, static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_COMPAT));
    const std::unique_ptr<utf8proc_uint8_t, decltype(&std::free)> owned(mapped, &std::free);
    if (n < 0) refuse("is not valid UTF-8");
    std::string out(reinterpret_cast<const char*>(mapped), static_cast<size_t>(n));
    if (out.empty() || out.size() > kMaxUsernameBytes) refuse("must be 1 to 150 bytes");
    const auto* p = reinterpret_cast<const utf8proc_uint8_t*>(out.data());
    utf8proc_ssize_t left = n;
    while (left > 0) {
        utf8proc_int32_t cp = 0;
        const utf8proc_ssize_t len = utf8proc_iterate(p, left, &cp);
        if (len <= 0) refuse("is not valid UTF-8");
        if (forbidden(cp))
            refuse("may not contain whitespace, control, invisible or bidirectional-control characters or ':'");
        p += len;
        left -= len;
    }
    return out;
}

bool is_readable_username(std::string_view name) {
    const auto* p = reinterpret_cast<const unsigned char*>(name.data());
    for (size_t i = 0; i < name.size(); ++i) {
        if (p[i] < 0x20 || p[i] == 0x7f) return false;
        if (p[i] == 0xc2 && i + 1 < name.size() && p[i + 1] >= 0x80 && p[i + 1] <= 0x9f) return false;  // C1 in UTF-8
    }
    return true;
}

}  // namespace authpolicy::identity
