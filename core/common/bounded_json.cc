#include "core/common/bounded_json.h"

#include "core/common/error.h"

namespace authpolicy {

nlohmann::json parse_bounded_json(std::string_view text, size_t max_bytes) {
    using json = nlohmann::json;
    if (text.size() > max_bytes)  // an Error like every other refusal (not the JSON library's exception)
        throw Error(ErrorCode::Invalid, "JSON text larger than " + std::to_string(max_bytes) + " bytes");
    json::parser_callback_t limit_depth = [](int depth, json::parse_event_t, json&) {
        if (depth > static_cast<int>(kMaxJsonDepth)) {
            throw json::out_of_range::create(407,
                                             "JSON nested deeper than " + std::to_string(kMaxJsonDepth) + " levels",
                                             static_cast<const json*>(nullptr));
        }
        return true;
    };
    try {
        return json::parse(text, limit_depth);
    } catch (const json::parse_error& e) {
        // nlohmann's message quotes the input ("last read: …"), which may hold a secret.
        throw Error(ErrorCode::Invalid, "invalid JSON near byte " + std::to_string(e.byte));
    } catch (const json::out_of_range& e) {
        // 407 is our own depth message; nlohmann's 406 ("number overflow parsing '…'") quotes the
        // input, so it gets a fixed text (found by fuzz_config's message oracle).
        if (e.id != 407) throw Error(ErrorCode::Invalid, "JSON number out of range");
        const std::string message = e.what();  // "[json.exception.out_of_range.407] JSON nested …"
        const size_t cut = message.find("] ");
        throw Error(ErrorCode::Invalid, cut == std::string::npos ? message : message.substr(cut + 2));
    }
}

}  // namespace authpolicy
