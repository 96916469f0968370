#include "core/jose/strict_json.h"

#include <vector>

#include "core/common/bounded_json.h"

namespace authpolicy::jose {
namespace {

using json = nlohmann::json;

// Builds the document from nlohmann's SAX events, refusing a member name already present in
// its object (the DOM parser would keep the last silently) and nesting deeper than
// kMaxJsonDepth. One pass, no callback allocations: this runs twice per JWT.
class StrictBuilder {
  public:
    explicit StrictBuilder(json& root) : root_(root) {}

    bool null() { return put(json(nullptr)); }
    bool boolean(bool v) { return put(json(v)); }
    bool number_integer(json::number_integer_t v) { return put(json(v)); }
    bool number_unsigned(json::number_unsigned_t v) { return put(json(v)); }
    bool number_float(json::number_float_t v, const json::string_t&) { return put(json(v)); }
    bool string(json::string_t& v) { return put(json(std::move(v))); }
    bool binary(json::binary_t&) { return false; }  // not produced by the text parser
    bool start_object(std::size_t) { return open(json::value_t::object); }
    bool start_array(std::size_t) { return open(json::value_t::array); }
    bool end_object() { return close(); }
    bool end_array() { return close(); }
    bool key(json::string_t& name) {
        json& object = *stack_.back();
        if (object.contains(name)) return false;  // duplicate member name
        pending_ = &object[std::move(name)];
        return true;
    }
    bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) { return false; }

  private:
    // Where the next value goes: the root, the member named by the last key, or an array's end.
    json* slot() {
        if (stack_.empty()) return &root_;
        json& parent = *stack_.back();
        if (parent.is_array()) {
            parent.push_back(nullptr);
            return &parent.back();
        }
        json* s = pending_;
        pending_ = nullptr;
        return s;
    }
    bool put(json&& value) {
        json* s = slot();
        if (s == nullptr) return false;
        *s = std::move(value);
        return true;
    }
    bool open(json::value_t type) {
        if (stack_.size() >= kMaxJsonDepth) return false;
        json* s = slot();
        if (s == nullptr) return false;
        *s = json(type);
        stack_.push_back(s);
        return true;
    }
    bool close() {
        stack_.pop_back();
        return true;
    }

    json& root_;
    std::vector<json*> stack_;
    json* pending_ = nullptr;
};

}  // namespace

std::optional<nlohmann::json> parse_strict_object(std::string_view text) {
    // nlohmann skips a UTF-8 byte order mark; JOSE text must not have one (RFC 8259 §8.1).
    if (text.size() >= 3 && static_cast<unsigned char>(text[0]) == 0xEF &&
        static_cast<unsigned char>(text[1]) == 0xBB && static_cast<unsigned char>(text[2]) == 0xBF)
        return std::nullopt;
    // NUL ends nlohmann's input early; JSON text never contains a raw NUL.
    if (text.find('\0') != std::string_view::npos) return std::nullopt;
    json root;
    StrictBuilder builder(root);
    // The lexer rejects invalid UTF-8 and unpaired surrogate escapes; strict: one value, nothing after.
    const bool ok = json::sax_parse(text, &builder, json::input_format_t::json, /*strict=*/true,
                                    /*ignore_comments=*/false);
    if (!ok || !root.is_object()) return std::nullopt;
    return root;
}

}  // namespace authpolicy::jose
