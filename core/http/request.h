// One HTTP request as the engine sees it. Fields are byte strings; header names compare
// case-insensitively. Inputs over the caps in docs/limits.md mark the request oversize
// instead of being stored, and the engine answers such a request with 400.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace authpolicy::http {

struct Limits {
    static constexpr size_t kMaxHeaderValue = 8192;
    static constexpr size_t kMaxHeaderName = 256;
    static constexpr size_t kMaxHeaders = 100;
    static constexpr size_t kMaxField = 8192;               // method, path, view, remote address, remote user
    static constexpr size_t kMaxFormFields = 16;            // form fields a host may pass (csrfmiddlewaretoken)
    static constexpr size_t kMaxClientCertificate = 16384;  // DER bytes of a TLS client certificate
};

class Request {
  public:
    // Uppercased, as Django does with REQUEST_METHOD (so "get" is a safe method).
    void set_method(std::string_view v);
    void set_path(std::string_view v) { set_field(path_, v, "path"); }
    void set_view(std::string_view v) { set_field(view_, v, "view"); }
    void set_remote_addr(std::string_view v) { set_field(remote_addr_, v, "remote address"); }
    void set_remote_user(std::string_view v) { set_field(remote_user_, v, "remote user"); }
    void set_secure(bool v) { secure_ = v; }
    // Repeated names are joined with ", " (RFC 9110 §5.3), as WSGI servers do.
    void add_header(std::string_view name, std::string_view value);
    // A field of the request's form body (the host parses the body; the engine reads only
    // "csrfmiddlewaretoken"). A repeated name replaces the value, as Django's QueryDict.get does.
    void set_form_field(std::string_view name, std::string_view value);
    // The DER bytes of the TLS client certificate the host's TLS layer verified (RFC 8705 §3);
    // empty: none. Larger than kMaxClientCertificate marks the request oversize.
    void set_client_certificate(std::string_view der);
    void reset();
    // An opaque back-pointer for the embedding layer (the C API's authp_request); kept by reset().
    void set_host_handle(const void* handle) { host_handle_ = handle; }
    const void* host_handle() const { return host_handle_; }

    std::string_view method() const { return method_; }
    std::string_view path() const { return path_; }
    std::string_view view() const { return view_; }
    std::string_view remote_addr() const { return remote_addr_; }
    std::string_view remote_user() const { return remote_user_; }
    bool secure() const { return secure_; }
    std::string_view client_certificate() const { return client_certificate_; }
    // nullptr when absent. `lower_name` must already be lowercase.
    const std::string* header(std::string_view lower_name) const;
    const std::string* find_header(std::string_view any_case_name) const;
    // nullptr when absent; names are case-sensitive.
    const std::string* form_field(std::string_view name) const;

    // Non-empty when an input exceeded a cap: says which, never the content.
    const std::string& oversize() const { return oversize_; }

  private:
    void set_field(std::string& field, std::string_view v, const char* what);
    void mark_oversize(std::string message);

    std::string method_{"GET"};
    std::string path_{"/"};
    std::string view_;
    std::string remote_addr_;
    std::string remote_user_;
    bool secure_ = false;
    std::vector<std::pair<std::string, std::string>> headers_;  // lowercase name, value
    std::vector<std::pair<std::string, std::string>> form_;
    std::string client_certificate_;
    std::string oversize_;
    const void* host_handle_ = nullptr;
};

}  // namespace authpolicy::http
