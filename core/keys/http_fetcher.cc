#include "core/keys/http_fetcher.h"

#include <curl/curl.h>

#include <memory>
#include <mutex>

#include "core/common/error.h"

namespace authpolicy::keys {
namespace {

constexpr int kMaxRedirects = 3;

void global_init() {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct UrlFree {
    void operator()(CURLU* u) const { curl_url_cleanup(u); }
};
struct EasyFree {
    void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct ListFree {
    void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

struct UrlParts {
    std::string scheme, host, port, path;
    bool userinfo = false;
};

std::optional<UrlParts> parse_url(const std::string& url) {
    global_init();
    std::unique_ptr<CURLU, UrlFree> u(curl_url());
    if (!u || curl_url_set(u.get(), CURLUPART_URL, url.c_str(), 0) != CURLUE_OK) return std::nullopt;
    UrlParts p;
    const auto part = [&](CURLUPart what, std::string& out, unsigned flags) {
        char* s = nullptr;
        if (curl_url_get(u.get(), what, &s, flags) != CURLUE_OK) return false;
        out = s;
        curl_free(s);
        return true;
    };
    if (!part(CURLUPART_SCHEME, p.scheme, 0) || !part(CURLUPART_HOST, p.host, 0)) return std::nullopt;
    part(CURLUPART_PORT, p.port, CURLU_DEFAULT_PORT);
    part(CURLUPART_PATH, p.path, 0);
    std::string ignored;
    p.userinfo = part(CURLUPART_USER, ignored, 0) || part(CURLUPART_PASSWORD, ignored, 0);
    return p;
}

bool loopback(const std::string& host) {
    return host == "127.0.0.1" || host == "[::1]" || host == "::1" || host == "localhost";
}

std::string lower(std::string s) {
    for (char& c : s) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return s;
}

bool json_media_type(const std::string& content_type) {
    std::string t = lower(content_type.substr(0, content_type.find(';')));
    while (!t.empty() && (t.back() == ' ' || t.back() == '\t')) t.pop_back();
    if (t == "application/json") return true;
    // application/jwk-set+json (RFC 7517 §8.5), application/token-introspection+jwt is not JSON.
    return t.rfind("application/", 0) == 0 && t.size() > 17 && t.compare(t.size() - 5, 5, "+json") == 0;
}

struct Exchange {
    HttpResponse response;
    size_t max_bytes = 0;
    bool too_large = false;
};

size_t on_body(char* data, size_t size, size_t n, void* user) {
    auto* x = static_cast<Exchange*>(user);
    const size_t len = size * n;
    if (x->response.body.size() + len > x->max_bytes) {
        x->too_large = true;
        return 0;  // aborts the transfer
    }
    x->response.body.append(data, len);
    return len;
}

size_t on_header(char* data, size_t size, size_t n, void* user) {
    auto* x = static_cast<Exchange*>(user);
    const size_t len = size * n;
    std::string line(data, len);
    while (!line.empty() && (line.back() == '\r' || line.back() == '\n')) line.pop_back();
    if (line.rfind("HTTP/", 0) == 0) {  // a new response (after a 100 Continue): start over
        x->response.etag.clear();
        x->response.last_modified.clear();
        x->response.cache_control.clear();
        x->response.content_type.clear();
        return len;
    }
    const size_t colon = line.find(':');
    if (colon == std::string::npos) return len;
    const std::string name = lower(line.substr(0, colon));
    size_t v = colon + 1;
    while (v < line.size() && (line[v] == ' ' || line[v] == '\t')) ++v;
    std::string value = line.substr(v);
    if (value.size() > 1024) return len;  // not a header we could use
    if (name == "etag")
        x->response.etag = value;
    else if (name == "last-modified")
        x->response.last_modified = value;
    else if (name == "cache-control")
        x->response.cache_control = x->response.cache_control.empty() ? value : x->response.cache_control + "," + value;
    else if (name == "content-type")
        x->response.content_type = value;
    return len;
}

[[noreturn]] void fail(const std::string& url, const std::string& what) {
    throw Error(ErrorCode::Store, "fetching " + url_for_log(url) + ": " + what);
}

}  // namespace

std::optional<std::string> url_problem(const std::string& url, bool allow_insecure_http) {
    auto p = parse_url(url);
    if (!p) return "not a valid absolute URL";
    if (p->userinfo) return "a URL may not carry a user name or password";
    if (lower(p->scheme) == "https") return std::nullopt;
    if (lower(p->scheme) == "http") {
        if (!allow_insecure_http)
            return "plain http is refused (https only; \"allow_insecure_http\": true allows loopback)";
        if (!loopback(p->host)) return "plain http is allowed only to 127.0.0.1, ::1 or localhost";
        return std::nullopt;
    }
    return "only https URLs are fetched";
}

std::string url_for_log(const std::string& url) {
    auto p = parse_url(url);
    if (!p) return "(an invalid URL)";
    return p->scheme + "://" + p->host + ":" + p->port + p->path;
}

std::string form_encode(std::string_view s) {
    static const char* hex = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : s) {
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
            c == '_' || c == '~') {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}

HttpResponse http_fetch(const HttpRequest& request, const HttpOptions& options) {
    global_init();
    std::string url = request.url;
    const auto origin = parse_url(url);
    if (!origin) fail(url, "not a valid URL");
    for (int hop = 0;; ++hop) {
        if (auto problem = url_problem(url, options.allow_insecure_http)) fail(url, *problem);
        std::unique_ptr<CURL, EasyFree> curl(curl_easy_init());
        if (!curl) fail(url, "libcurl could not start");
        CURL* c = curl.get();
        Exchange x;
        x.max_bytes = options.max_bytes;
        std::unique_ptr<curl_slist, ListFree> headers;
        const auto add_header = [&](const std::string& h) {
            curl_slist* l = curl_slist_append(headers.get(), h.c_str());
            if (l == nullptr) throw Error(ErrorCode::NoMemory, "out of memory");
            (void)headers.release();
            headers.reset(l);
        };
        add_header("Accept: application/json");
        if (!request.if_none_match.empty()) add_header("If-None-Match: " + request.if_none_match);
        if (!request.if_modified_since.empty()) add_header("If-Modified-Since: " + request.if_modified_since);
        curl_easy_setopt(c, CURLOPT_URL, url.c_str());
        curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, options.allow_insecure_http ? "http,https" : "https");
        curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "https");
        curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
        curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
        curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
        if (!options.ca_file.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, options.ca_file.c_str());
        // An empty string disables proxies, including the environment's http(s)_proxy.
        curl_easy_setopt(c, CURLOPT_PROXY, options.proxy.c_str());
        curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options.connect_timeout * 1000));
        curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(options.timeout * 1000));
        curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(options.max_bytes));
        curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, nullptr);  // no decompression bombs
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
        curl_easy_setopt(c, CURLOPT_WRITEDATA, &x);
        curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
        curl_easy_setopt(c, CURLOPT_HEADERDATA, &x);
        curl_easy_setopt(c, CURLOPT_USERAGENT, "libauthpolicy");
        if (request.form_body) {
            add_header("Content-Type: application/x-www-form-urlencoded");
            curl_easy_setopt(c, CURLOPT_POSTFIELDS, request.form_body->c_str());
            curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.form_body->size()));
        }
        if (request.basic_user) {
            curl_easy_setopt(c, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
            curl_easy_setopt(c, CURLOPT_USERNAME, request.basic_user->c_str());
            curl_easy_setopt(c, CURLOPT_PASSWORD, request.basic_password ? request.basic_password->c_str() : "");
        }
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
        const CURLcode rc = curl_easy_perform(c);
        if (x.too_large || rc == CURLE_FILESIZE_EXCEEDED)
            fail(url, "the answer is larger than " + std::to_string(options.max_bytes) + " bytes");
        if (rc == CURLE_OPERATION_TIMEDOUT) fail(url, "timed out");
        if (rc != CURLE_OK) fail(url, curl_easy_strerror(rc));
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &x.response.status);
        const long status = x.response.status;
        if (status == 301 || status == 302 || status == 303 || status == 307 || status == 308) {
            char* location = nullptr;
            curl_easy_getinfo(c, CURLINFO_REDIRECT_URL, &location);
            if (location == nullptr) fail(url, "a redirect without a location");
            const auto to = parse_url(location);
            if (!to || lower(to->scheme) != lower(origin->scheme) || lower(to->host) != lower(origin->host) ||
                to->port != origin->port)
                fail(url, "a redirect to another origin is refused");
            if (hop + 1 >= kMaxRedirects) fail(url, "too many redirects");
            if (request.form_body) fail(url, "a redirect of a POST is refused");
            url = location;
            continue;
        }
        if (status == 200 && !json_media_type(x.response.content_type))
            fail(url, "the answer is not JSON (Content-Type must be application/json)");
        return std::move(x.response);
    }
}

}  // namespace authpolicy::keys
