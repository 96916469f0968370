#include "core/jose/strict_json.h"

#include <set>
#include <string>
#include <vector>

#include "core/common/bounded_json.h"

namespace authpolicy::jose {

std::optional<nlohmann::json> parse_strict_object(std::string_view text) {
    using json = nlohmann::json;
    // nlohmann skips a UTF-8 byte order mark; JOSE text must not have one (RFC 8259 §8.1).
    if (text.size() >= 3 && static_cast<unsigned char>(text[0]) == 0xEF &&
        static_cast<unsigned char>(text[1]) == 0xBB && static_cast<unsigned char>(text[2]) == 0xBF)
        return std::nullopt;
    // NUL ends nlohmann's input early; JSON text never contains a raw NUL.
    if (text.find('\0') != std::string_view::npos) return std::nullopt;
    std::vector<std::set<std::string, std::less<>>> keys;
    bool duplicate = false;
    json::parser_callback_t check = [&](int depth, json::parse_event_t event, json& parsed) {
        if (depth > static_cast<int>(kMaxJsonDepth)) {
            duplicate = true;  // treated as a rejection
            return false;
        }
        switch (event) {
            case json::parse_event_t::object_start: keys.emplace_back(); break;
            case json::parse_event_t::object_end:
                if (!keys.empty()) keys.pop_back();
                break;
            case json::parse_event_t::key:
                if (!keys.empty() && !keys.back().insert(parsed.get<std::string>()).second) duplicate = true;
                break;
            default: break;
        }
        return true;
    };
    try {
        // The lexer rejects invalid UTF-8 and unpaired surrogate escapes.
        json j = json::parse(text, check, /*allow_exceptions=*/true, /*ignore_comments=*/false);
        if (duplicate || !j.is_object()) return std::nullopt;
        return j;
    } catch (const json::exception&) {
        return std::nullopt;
    }
}

}  // namespace authpolicy::jose
