#include "core/http/request.h"

namespace authpolicy::http {
namespace {

constexpr std::string_view kDefaultMethod = "GET";
constexpr std::string_view kDefaultPath = "/";

std::string lowercase(std::string_view s) {
    std::string out(s);
    for (char& c : out) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
    }
    return out;
}

}  // namespace

void Request::set_field(std::string& field, std::string_view v, const char* what) {
    if (v.size() > Limits::kMaxField) {
        if (oversize_.empty())
            oversize_ = std::string("Request ") + what + " exceeds " + std::to_string(Limits::kMaxField) + " bytes.";
        return;
    }
    field.assign(v);
}

void Request::mark_oversize(std::string message) {
    if (oversize_.empty()) oversize_ = std::move(message);
}

void Request::add_header(std::string_view name, std::string_view value) {
    static const std::string value_cap =
        "Request header exceeds " + std::to_string(Limits::kMaxHeaderValue) + " bytes.";
    if (name.size() > Limits::kMaxHeaderName)
        return mark_oversize("Request header name exceeds " + std::to_string(Limits::kMaxHeaderName) + " bytes.");
    if (value.size() > Limits::kMaxHeaderValue) return mark_oversize(value_cap);
    std::string lower = lowercase(name);
    for (auto& [n, v] : headers_) {
        if (n == lower) {  // a repeat joins its first occurrence: it does not count as another header
            // Two Host headers are a smuggling attempt (RFC 9112 §3.2: respond 400), not a list.
            if (lower == "host") return mark_oversize("Request has more than one Host header.");
            if (v.size() + 2 + value.size() > Limits::kMaxHeaderValue) return mark_oversize(value_cap);
            // Cookie lines are joined with "; " (RFC 9113 §8.2.3, RFC 6265 §5.4); others with ", ".
            v.append(lower == "cookie" ? "; " : ", ").append(value);
            return;
        }
    }
    if (headers_.size() >= Limits::kMaxHeaders)
        return mark_oversize("Request has more than " + std::to_string(Limits::kMaxHeaders) + " headers.");
    headers_.emplace_back(std::move(lower), std::string(value));
}

void Request::set_client_certificate(std::string_view der) {
    if (der.size() > Limits::kMaxClientCertificate)
        return mark_oversize("Client certificate exceeds " + std::to_string(Limits::kMaxClientCertificate) + " bytes.");
    client_certificate_.assign(der);
}

void Request::set_method(std::string_view v) {
    set_field(method_, v, "method");
    for (char& c : method_) {
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 32);
    }
}

// GCC 12 at -O3 reports a false -Wrestrict inside std::string's assignment (GCC bug 105329).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wrestrict"
#endif
void Request::reset() {
    method_.assign(kDefaultMethod);
    path_.assign(kDefaultPath);
    view_.clear();
    remote_addr_.clear();
    remote_user_.clear();
    secure_ = false;
    headers_.clear();
    form_.clear();
    client_certificate_.clear();
    oversize_.clear();
}
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

const std::string* Request::header(std::string_view lower_name) const {
    for (const auto& [n, v] : headers_) {
        if (n == lower_name) return &v;
    }
    return nullptr;
}

void Request::set_form_field(std::string_view name, std::string_view value) {
    if (name.size() > Limits::kMaxHeaderName || value.size() > Limits::kMaxField)
        return mark_oversize("Request form field exceeds " + std::to_string(Limits::kMaxField) + " bytes.");
    for (auto& [n, v] : form_) {
        if (n == name) {
            v.assign(value);
            return;
        }
    }
    if (form_.size() >= Limits::kMaxFormFields)
        return mark_oversize("Request has more than " + std::to_string(Limits::kMaxFormFields) + " form fields.");
    form_.emplace_back(std::string(name), std::string(value));
}

const std::string* Request::form_field(std::string_view name) const {
    for (const auto& [n, v] : form_) {
        if (n == name) return &v;
    }
    return nullptr;
}

const std::string* Request::find_header(std::string_view any_case_name) const {
    if (any_case_name.size() > Limits::kMaxHeaderName) return nullptr;  // add_header never stores one
    return header(lowercase(any_case_name));
}

}  // namespace authpolicy::http
