// The instruction-count guard's harness (scripts/perf-guard.sh, docs/performance.md "Instruction-count
// guard"): one invocation sets up one named hot path, then makes a fixed number of whole host
// decisions through the C API (request new → headers → evaluate → status → free). Under
// `valgrind --tool=callgrind --instr-atstart=no` only those decisions are counted: instrumentation
// starts after the setup and a few uncounted warm-up decisions, and stops before the teardown.
// Run natively it checks every decision's status and nothing else (the client requests are no-ops).
//
//   authp_instruction_guard --list              the paths and their default decision counts
//   authp_instruction_guard --env               the compiler and the libraries the counts depend on
//   authp_instruction_guard <path> [decisions]  measure one path
//   authp_instruction_guard --smoke             every path natively, a few decisions each (ctest)
//
// Everything a decision depends on is fixed: the engine's clock is pinned (no TTL can expire in a
// slow valgrind run, no time-dependent branch), inputs come from fixed seeds or are constants, and
// the ES256 and RS256 tokens are stored test vectors (ECDSA signatures are randomised, and the cost
// of verifying one varies a little with its value). Only the built-in store's token keys are
// random, drawn by the library: token_cold and token_unknown move by up to ±1 % between runs.
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <valgrind/callgrind.h>
#include <zlib.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "authpolicy.h"

namespace {

// 2026-01-01T00:00:00Z: every engine reads this instead of the system clock.
constexpr double kPinnedNow = 1767225600.0;
constexpr int kWarmupDecisions = 20;
constexpr std::string_view kAuthorization = "Authorization";

[[noreturn]] void die(const std::string& what) {
    std::fprintf(stderr, "authp_instruction_guard: %s\n", what.c_str());
    std::exit(2);
}

void check(int rc, const char* what) {
    if (rc != AUTHP_OK) die(std::string(what) + " failed: " + authp_strerror(rc) + ": " + authp_error_last());
}

double pinned_clock(void*) {
    return kPinnedNow;
}

authp_engine* make_engine(const std::string& json) {
    authp_config* cfg = nullptr;
    check(authp_config_new(&cfg), "authp_config_new");
    check(authp_config_load_json(cfg, json.data(), json.size(), nullptr), "authp_config_load_json");
    check(authp_config_set_clock(cfg, pinned_clock, nullptr, nullptr), "authp_config_set_clock");
    authp_engine* engine = nullptr;
    check(authp_engine_new(&engine, cfg), "authp_engine_new");
    authp_config_free(cfg);
    return engine;
}

// What a decision presents besides the engine; empty fields are not set.
struct Input {
    std::string_view authorization, view, remote_addr, cookie;
};

// One whole host round trip. Returns the HTTP status, or the (negative) evaluation error.
int decide(const authp_engine* engine, const Input& in) {
    authp_request* req = nullptr;
    if (authp_request_new(&req, engine) != AUTHP_OK) return -1000;
    if (!in.view.empty()) (void)authp_request_set_view(req, in.view.data(), in.view.size());
    if (!in.remote_addr.empty()) (void)authp_request_set_remote_addr(req, in.remote_addr.data(), in.remote_addr.size());
    if (!in.authorization.empty())
        (void)authp_request_add_header(req, kAuthorization.data(), kAuthorization.size(), in.authorization.data(),
                                       in.authorization.size());
    if (!in.cookie.empty()) (void)authp_request_add_header(req, "Cookie", 6, in.cookie.data(), in.cookie.size());
    authp_decision* d = nullptr;
    const int rc = authp_engine_evaluate(&d, engine, req);
    const int status = rc == AUTHP_OK ? authp_decision_status(d) : rc;
    authp_decision_free(d);
    authp_request_free(req);
    return status;
}

std::string hex_key(std::mt19937_64& rng, size_t len) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string key(len, '0');
    for (char& c : key) c = kHex[rng() & 15];
    return key;
}

std::string base64(std::string_view in) {
    std::string out(4 * ((in.size() + 2) / 3) + 1, '\0');
    const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                  reinterpret_cast<const unsigned char*>(in.data()), static_cast<int>(in.size()));
    out.resize(static_cast<size_t>(n));
    return out;
}

std::string b64url_nopad(std::string_view in) {
    std::string s = base64(in);
    while (!s.empty() && s.back() == '=') s.pop_back();
    for (char& c : s) c = c == '+' ? '-' : c == '/' ? '_' : c;
    return s;
}

// A temporary directory, removed with everything in it.
class TempDir {
  public:
    TempDir() {
        std::string tmpl = (std::filesystem::temp_directory_path() / "authp-guard-XXXXXX").string();
        if (mkdtemp(tmpl.data()) == nullptr) die("mkdtemp failed");
        path_ = tmpl;
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    std::string file(const char* name) const { return (path_ / name).string(); }

  private:
    std::filesystem::path path_;
};

// A prepared path: its engine, the fixture the engine reads (kept until the engine is freed), and
// the decision to repeat (i counts from 0).
struct Workload {
    authp_engine* engine = nullptr;
    std::shared_ptr<const void> fixture;
    int expected = 200;
    std::function<int(size_t i)> decide;
    Workload() = default;
    Workload(const Workload&) = delete;
    Workload& operator=(const Workload&) = delete;
    ~Workload() { authp_engine_free(engine); }
};

// --- the built-in store: a SQLite file with 1,000 tokens of 10 users, and one Basic user -------

constexpr int kTokenUsers = 10;
constexpr int kTokens = 1000;
constexpr std::string_view kBasicUser = "guard-basic";
constexpr std::string_view kBasicPassword = "correct horse battery staple";

struct TokenStore {
    std::shared_ptr<TempDir> dir = std::make_shared<TempDir>();
    std::shared_ptr<std::vector<std::string>> headers = std::make_shared<std::vector<std::string>>();
};

// `extra` is appended to the policy (e.g. a CACHE object). The library draws the keys, so the
// B-tree over their digests differs a little from run to run; the paths cycle over many keys.
std::pair<authp_engine*, TokenStore> token_engine(const char* extra) {
    TokenStore store;
    const std::string policy = R"({"DATABASE": ")" + store.dir->file("guard.sqlite3") +
                               R"(", "DEFAULT_AUTHENTICATION_CLASSES": ["BasicAuthentication", "TokenAuthentication"],)"
                               R"( "DEFAULT_PERMISSION_CLASSES": ["IsAuthenticated"], "PASSWORD_ITERATIONS": 1000,)"
                               R"( "VIEWS": {"public": {"permission_classes": ["AllowAny"]}})" +
                               std::string(extra) + "}";
    authp_engine* engine = make_engine(policy);
    for (int u = 0; u < kTokenUsers; ++u) {
        const std::string name = "user" + std::to_string(u);
        check(authp_user_add(nullptr, engine, name.data(), name.size(), nullptr, 0, 0), "authp_user_add");
    }
    for (int i = 0; i < kTokens; ++i) {
        const std::string name = "user" + std::to_string(i % kTokenUsers);
        char* key = nullptr;
        check(authp_token_create(&key, engine, name.data(), name.size(), "guard", 5, 0), "authp_token_create");
        store.headers->push_back(std::string("Token ") + key);
        authp_free(key);
    }
    check(authp_user_add(nullptr, engine, kBasicUser.data(), kBasicUser.size(), kBasicPassword.data(),
                         kBasicPassword.size(), 0),
          "authp_user_add (basic)");
    return {engine, store};
}

// A token-store path: decisions over `inputs` in turn (i modulo their count).
void token_path(Workload& w, const char* extra, std::vector<std::string> (*inputs)(const TokenStore&), int expected) {
    auto [engine, store] = token_engine(extra);
    w.engine = engine;
    w.fixture = store.dir;
    auto headers = std::make_shared<std::vector<std::string>>(inputs(store));
    w.expected = expected;
    w.decide = [engine = engine, headers](size_t i) {
        return decide(engine, Input{.authorization = (*headers)[i % headers->size()]});
    };
}

std::vector<std::string> one_token(const TokenStore& s) {
    return {(*s.headers)[421]};
}

// Every stored token once, in a fixed order that jumps through the key space.
std::vector<std::string> all_tokens(const TokenStore& s) {
    std::vector<std::string> out;
    for (size_t i = 0; i < s.headers->size(); ++i) out.push_back((*s.headers)[(i * 617) % s.headers->size()]);
    return out;
}

// 1,000 keys from a fixed seed; the chance that one is in a store is nil.
std::vector<std::string> unknown_token_headers() {
    std::mt19937_64 rng(20260101);
    std::vector<std::string> out;
    for (int i = 0; i < kTokens; ++i) out.push_back("Token " + hex_key(rng, 40));
    return out;
}

std::vector<std::string> unknown_tokens(const TokenStore&) {
    return unknown_token_headers();
}

std::vector<std::string> basic_credentials(const TokenStore&) {
    return {"Basic " + base64(std::string(kBasicUser) + ":" + std::string(kBasicPassword))};
}

// --- anonymous and throttled decisions --------------------------------------------------------

void anonymous_allowany(Workload& w) {
    auto [engine, store] = token_engine("");
    w.engine = engine;
    w.fixture = store.dir;
    w.decide = [engine = engine](size_t) { return decide(engine, Input{.view = "public"}); };
}

// Anonymous AllowAny decisions from 1,000 client addresses in turn, with and without one
// in-memory AnonRateThrottle (1000/min: with the clock pinned, no client reaches its limit in a
// run). The difference between the two paths is what the throttle adds.
void anonymous_throttled(Workload& w, const char* throttle_classes) {
    authp_engine* engine =
        make_engine(R"({"DEFAULT_AUTHENTICATION_CLASSES": [], "DEFAULT_PERMISSION_CLASSES": ["AllowAny"],)"
                    R"( "DEFAULT_THROTTLE_RATES": {"anon": "1000/min"}, "DEFAULT_THROTTLE_CLASSES": )" +
                    std::string(throttle_classes) + "}");
    w.engine = engine;
    auto addrs = std::make_shared<std::vector<std::string>>();
    for (int i = 0; i < 1000; ++i) addrs->push_back("10.0." + std::to_string(i / 256) + "." + std::to_string(i % 256));
    w.decide = [engine, addrs](size_t i) { return decide(engine, Input{.remote_addr = (*addrs)[i % addrs->size()]}); };
}

// --- JWT bearer tokens, verification cache off --------------------------------------------------

constexpr std::string_view kJwtClaims =
    R"({"sub":"guard-user","iss":"https://id.example","aud":"api","exp":4102444800,"iat":1700000000,)"
    R"("scope":"read write","jti":"0123456789abcdef"})";

void jwt_path(Workload& w, const std::string& alg, const std::string& key_source, const std::string& token) {
    authp_engine* engine = make_engine(R"({"DEFAULT_AUTHENTICATION_CLASSES": [{"class": "JWTAuthentication", )" +
                                       key_source + R"(, "kid": "k1", "algorithms": [")" + alg +
                                       R"("], "issuer": "https://id.example", "audience": "api", "typ": "at+jwt",)"
                                       R"( "lookup_user": false}], "DEFAULT_PERMISSION_CLASSES": ["IsAuthenticated"],)"
                                       R"( "CACHE": {"TTL": 0}})");
    w.engine = engine;
    auto header = std::make_shared<std::string>("Bearer " + token);
    w.decide = [engine, header](size_t) { return decide(engine, Input{.authorization = *header}); };
}

void jwt_hs256(Workload& w) {
    const std::string secret(32, 's');
    const std::string input =
        b64url_nopad(R"({"alg":"HS256","typ":"at+jwt","kid":"k1"})") + "." + b64url_nopad(kJwtClaims);
    unsigned char tag[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
         reinterpret_cast<const unsigned char*>(input.data()), input.size(), tag, &len);
    jwt_path(w, "HS256", R"("secret": ")" + secret + "\"",
             input + "." + b64url_nopad(std::string_view(reinterpret_cast<char*>(tag), len)));
}

// A P-256 key and a token over kJwtClaims with header {"alg":"ES256","typ":"at+jwt","kid":"k1"},
// made once with Python's `cryptography` (ec.generate_private_key(SECP256R1()), sign with
// ECDSA(SHA256()), signature as R‖S); the private key was discarded. The PEM is written with
// JSON-escaped newlines, as it goes into the policy.
constexpr std::string_view kEs256PublicKeyPem =
    "-----BEGIN PUBLIC KEY-----\\n"
    "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEUe/t370e2JaD+SWPeJUn3ZITYuPk\\n"
    "rPoDnsNDPBD4q+3b6VS7tPhw2M63NKks+r0xhvq1VKKCu9KthkAnCb3mJw==\\n"
    "-----END PUBLIC KEY-----\\n";
constexpr std::string_view kEs256Token =
    "eyJhbGciOiJFUzI1NiIsInR5cCI6ImF0K2p3dCIsImtpZCI6ImsxIn0."
    "eyJzdWIiOiJndWFyZC11c2VyIiwiaXNzIjoiaHR0cHM6Ly9pZC5leGFtcGxlIiwiYXVkIjoiYXBpIiwiZXhwIjo0MTAyNDQ0ODAw"
    "LCJpYXQiOjE3MDAwMDAwMDAsInNjb3BlIjoicmVhZCB3cml0ZSIsImp0aSI6IjAxMjM0NTY3ODlhYmNkZWYifQ."
    "tOlhjWsf_6RBGRYeLNImZ549idvaNjc6KhQxptnor8DEIbFsxWRZhsXkuqkSt2bzr3AbjP4mgwMKsio-_FrrVA";

// The same for RS256: an RSA-2048 key, PKCS#1 v1.5 with SHA-256.
constexpr std::string_view kRs256PublicKeyPem =
    "-----BEGIN PUBLIC KEY-----\\n"
    "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAzt98HmRWzsxhdLpjT8fF\\n"
    "jJFoZTyl/GUvgr1K1/wyW7Co1Wc9j9499RPzGsq0xziWtogIp24/xcxhlvSgBzwD\\n"
    "YsTXs98LCbYKjV/9jH0w+GGssj/pNZupVv2GDDugzHfgc48BRz7HZHYrTtVthbTd\\n"
    "f4Pzdgij6bwRDX8PWlVksZMD4CmuDLBQJ0dSxd3gdQlS/y4gygLAeMFHBAOd4BwD\\n"
    "DshNpUUBHDVigtwjxtXvyOJ4y10zfyllEGKxLj3DvImCDNlG/9w1LKEZwaXNVJmP\\n"
    "MEUzzVw944r9yVuw3m3H1FIfiHdIHWDq3YQhFAKeCALVSAMRLSWM9BZHVCo70ecL\\n"
    "FQIDAQAB\\n"
    "-----END PUBLIC KEY-----\\n";
constexpr std::string_view kRs256Token =
    "eyJhbGciOiJSUzI1NiIsInR5cCI6ImF0K2p3dCIsImtpZCI6ImsxIn0.eyJzdWIiOiJndWFyZC11c2VyIiwiaXNzIjoiaHR0cHM6"
    "Ly9pZC5leGFtcGxlIiwiYXVkIjoiYXBpIiwiZXhwIjo0MTAyNDQ0ODAwLCJpYXQiOjE3MDAwMDAwMDAsInNjb3BlIjoicmVhZCB3"
    "cml0ZSIsImp0aSI6IjAxMjM0NTY3ODlhYmNkZWYifQ.ty0g3nkT3bQtjwv2fAjey8GHCOH6esD0zYJuHRONcMbzBRW759hH23Biz"
    "swIsF5W-9UI_DTikx7xIc9gaQg5g44MNYUMsf3qDzsZp79eNR-UjeExfSmX7WALr1G0Q2PdiZN-vopXfO4bF1T7ox4EBY4KRcBAq"
    "nvIo_0JHeSOUSOZ3yAe7NgkkkpThtEqSQwxKndNhwv4SiLHkoyhkJY7kemVxof-33mNsYSFlEQWsP5SUom_OtfqdmMxz44xr1zo7"
    "ou0BDlhao6lZj5-ct5UyjTXEu1n3Mr3VvKMYK7D_kAk9ByxCida8eZeJngmyNW7qcvRsEHtJ3B8VzytmLleiw";

void jwt_rs256(Workload& w) {
    jwt_path(w, "RS256", R"("public_key_pem": ")" + std::string(kRs256PublicKeyPem) + "\"", std::string(kRs256Token));
}

void jwt_es256(Workload& w) {
    jwt_path(w, "ES256", R"("public_key_pem": ")" + std::string(kEs256PublicKeyPem) + "\"", std::string(kEs256Token));
}

// --- a Django 3.2 database: sessions and DRF tokens of 100 users, cache off ----------------------

constexpr std::string_view kDjangoSecret = "guard-django-secret";
constexpr int kDjangoUsers = 100;

// Django's salted_hmac with SHA-256: HMAC(SHA-256(salt + secret), value).
std::string salted_hmac_sha256(std::string_view salt, std::string_view value) {
    unsigned char key[32];
    const std::string material = std::string(salt) + std::string(kDjangoSecret);
    SHA256(reinterpret_cast<const unsigned char*>(material.data()), material.size(), key);
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    HMAC(EVP_sha256(), key, sizeof key, reinterpret_cast<const unsigned char*>(value.data()), value.size(), mac, &len);
    return std::string(reinterpret_cast<const char*>(mac), len);
}

std::string to_hex(std::string_view bytes) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    for (unsigned char b : bytes) {
        out.push_back(kHex[b >> 4]);
        out.push_back(kHex[b & 15]);
    }
    return out;
}

void exec(sqlite3* db, const std::string& sql) {
    if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK) die(sqlite3_errmsg(db));
}

struct DjangoDb {
    std::shared_ptr<TempDir> dir = std::make_shared<TempDir>();
    std::string path;
    std::shared_ptr<std::vector<std::string>> tokens = std::make_shared<std::vector<std::string>>();
    std::shared_ptr<std::vector<std::string>> cookies = std::make_shared<std::vector<std::string>>();
};

// The tables as Django 3.2 writes them: session data compressed and signed, with the session auth
// hash of the user's password; keys and password hashes from a fixed seed.
DjangoDb django_db() {
    DjangoDb d;
    d.path = d.dir->file("django.sqlite3");
    sqlite3* db = nullptr;
    if (sqlite3_open(d.path.c_str(), &db) != SQLITE_OK) die("sqlite3_open failed");
    exec(db,
         "CREATE TABLE auth_user (id INTEGER PRIMARY KEY, password TEXT, username TEXT UNIQUE,"
         " is_active BOOL, is_staff BOOL, is_superuser BOOL);"
         "CREATE TABLE authtoken_token (key VARCHAR(40) PRIMARY KEY, created TEXT, user_id INTEGER UNIQUE);"
         "CREATE TABLE django_session (session_key VARCHAR(40) PRIMARY KEY, session_data TEXT,"
         " expire_date TEXT); CREATE INDEX django_session_expire ON django_session(expire_date); BEGIN");
    std::mt19937_64 rng(7);
    for (int i = 1; i <= kDjangoUsers; ++i) {
        const std::string password =
            "pbkdf2_sha256$260000$guardsaltguardsaltgu" + std::to_string(i % 10) + "$" + hex_key(rng, 43) + "=";
        const std::string token = hex_key(rng, 40);
        const std::string key = hex_key(rng, 32);
        const std::string hash =
            to_hex(salted_hmac_sha256("django.contrib.auth.models.AbstractBaseUser.get_session_auth_hash", password));
        const std::string json = R"({"_auth_user_id":")" + std::to_string(i) +
                                 R"(","_auth_user_backend":"django.contrib.auth.backends.ModelBackend",)"
                                 R"("_auth_user_hash":")" +
                                 hash + "\"}";
        std::string packed(compressBound(json.size()), '\0');
        uLongf packed_len = packed.size();
        compress(reinterpret_cast<Bytef*>(packed.data()), &packed_len, reinterpret_cast<const Bytef*>(json.data()),
                 json.size());
        packed.resize(packed_len);
        const std::string value = "." + b64url_nopad(packed) + ":1r31eq";
        const std::string data =
            value + ":" + b64url_nopad(salted_hmac_sha256("django.contrib.sessions.SessionStoresigner", value));
        exec(db, "INSERT INTO auth_user VALUES (" + std::to_string(i) + ", '" + password + "', 'user" +
                     std::to_string(i) + "', 1, 0, 0); INSERT INTO authtoken_token VALUES ('" + token + "', '', " +
                     std::to_string(i) + "); INSERT INTO django_session VALUES ('" + key + "', '" + data +
                     "', '2099-01-01 00:00:00.000000')");
        d.tokens->push_back("Token " + token);
        d.cookies->push_back("sessionid=" + key);
    }
    exec(db, "COMMIT");
    sqlite3_close(db);
    return d;
}

authp_engine* django_engine(const DjangoDb& d) {
    return make_engine(R"({"DEFAULT_AUTHENTICATION_CLASSES": ["SessionAuthentication", "TokenAuthentication"],)"
                       R"( "DEFAULT_PERMISSION_CLASSES": ["IsAuthenticated"], "CACHE": {"TTL": 0},)"
                       R"( "DJANGO": {"DATABASE": ")" +
                       d.path + R"(", "SECRET_KEY": ")" + std::string(kDjangoSecret) + R"(", "VERSION": "3.2"}})");
}

void django_session_cold(Workload& w) {
    DjangoDb d = django_db();
    authp_engine* engine = django_engine(d);
    w.engine = engine;
    w.fixture = d.dir;
    auto cookies = d.cookies;
    w.decide = [engine, cookies](size_t i) { return decide(engine, Input{.cookie = (*cookies)[i % cookies->size()]}); };
}

void django_token_cold(Workload& w) {
    DjangoDb d = django_db();
    authp_engine* engine = django_engine(d);
    w.engine = engine;
    w.fixture = d.dir;
    auto tokens = d.tokens;
    w.decide = [engine, tokens](size_t i) {
        return decide(engine, Input{.authorization = (*tokens)[i % tokens->size()]});
    };
}

// Keys that are not in authtoken_token; with the database's keys fixed too, this count (unlike
// token_unknown's over the built-in store, whose keys the library draws) repeats exactly.
void django_token_unknown(Workload& w) {
    DjangoDb d = django_db();
    w.engine = django_engine(d);
    w.fixture = d.dir;
    w.expected = 403;  // SessionAuthentication comes first and has no challenge (DRF: 403, not 401)
    auto headers = std::make_shared<std::vector<std::string>>(unknown_token_headers());
    w.decide = [engine = w.engine, headers](size_t i) {
        return decide(engine, Input{.authorization = (*headers)[i % headers->size()]});
    };
}

// --- the paths ------------------------------------------------------------------------------------

struct Path {
    const char* name;
    size_t decisions;  // default count: enough to average over every input, small under callgrind
    const char* what;
    void (*setup)(Workload&);
};

const Path kPaths[] = {
    {"token_warm", 2000, "valid token, warm cache (the same key)",
     [](Workload& w) { token_path(w, "", one_token, 200); }},
    {"token_cold", 1000, "valid token, CACHE.TTL 0, each of 1,000 keys once",
     [](Workload& w) { token_path(w, R"(, "CACHE": {"TTL": 0})", all_tokens, 200); }},
    {"token_unknown", 1000, "unknown token (1,000 keys not in the store)",
     [](Workload& w) { token_path(w, "", unknown_tokens, 401); }},
    {"basic_warm", 2000, "valid Basic, warm cache (the same credentials)",
     [](Workload& w) { token_path(w, "", basic_credentials, 200); }},
    {"anonymous_allowany", 4000, "no credentials, AllowAny view, Basic+Token configured", anonymous_allowany},
    {"anonymous_bare", 4000, "no credentials, AllowAny, no authenticator, 1,000 addresses",
     [](Workload& w) { anonymous_throttled(w, "[]"); }},
    {"throttle_memory", 4000, "as anonymous_bare plus AnonRateThrottle in memory",
     [](Workload& w) { anonymous_throttled(w, R"(["AnonRateThrottle"])"); }},
    {"jwt_hs256", 1000, "JWT HS256, verification cache off", jwt_hs256},
    {"jwt_rs256", 500, "JWT RS256, verification cache off", jwt_rs256},
    {"jwt_es256", 200, "JWT ES256, verification cache off", jwt_es256},
    {"django_session_cold", 500, "Django 3.2 session cookie, CACHE.TTL 0, 100 sessions in turn", django_session_cold},
    {"django_token_cold", 500, "DRF authtoken_token key, CACHE.TTL 0, 100 keys in turn", django_token_cold},
    {"django_token_unknown", 1000, "key not in authtoken_token (1,000 keys)", django_token_unknown},
};

const Path* find_path(std::string_view name) {
    for (const Path& p : kPaths)
        if (name == p.name) return &p;
    return nullptr;
}

// Runs `decisions` decisions of one path; only these are counted under callgrind.
int measure(const Path& p, size_t decisions) {
    Workload w;
    p.setup(w);
    for (size_t i = 0; i < kWarmupDecisions; ++i) {
        const int status = w.decide(i);
        if (status != w.expected)
            die(std::string(p.name) + ": warm-up decision returned " + std::to_string(status) + ", wanted " +
                std::to_string(w.expected) + ": " + authp_error_last());
    }
    size_t wrong = 0;
    CALLGRIND_START_INSTRUMENTATION;
    CALLGRIND_ZERO_STATS;
    for (size_t i = 0; i < decisions; ++i) wrong += w.decide(i) != w.expected;
    CALLGRIND_STOP_INSTRUMENTATION;
    if (wrong != 0) {
        std::fprintf(stderr, "authp_instruction_guard: %s: %zu of %zu decisions had the wrong status\n", p.name, wrong,
                     decisions);
        return 1;
    }
    std::printf("%s\t%zu\n", p.name, decisions);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    const std::string_view arg = argc > 1 ? argv[1] : "";
    if (arg == "--list") {
        for (const Path& p : kPaths) std::printf("%s\t%zu\t%s\n", p.name, p.decisions, p.what);
        return 0;
    }
    if (arg == "--env") {
        // One token each, no spaces inside (the baseline's header compares the whole line).
        std::string compiler =
#if defined(__clang__)
            "clang-" __clang_version__;
#elif defined(__GNUC__)
            "gcc-" __VERSION__;
#else
            "unknown";
#endif
        for (char& c : compiler)
            if (c == ' ') c = '_';
        std::string openssl = OpenSSL_version(OPENSSL_VERSION);  // "OpenSSL 3.0.19 27 Jan 2026"
        openssl = openssl.substr(openssl.find(' ') + 1);
        openssl = openssl.substr(0, openssl.find(' '));
        std::printf("compiler=%s openssl=%s sqlite=%s zlib=%s\n", compiler.c_str(), openssl.c_str(),
                    sqlite3_libversion(), zlibVersion());
        return 0;
    }
    if (arg == "--smoke") {
        int rc = 0;
        for (const Path& p : kPaths) rc |= measure(p, 50);
        return rc;
    }
    const Path* p = find_path(arg);
    if (p == nullptr || argc > 3) {
        std::fprintf(stderr, "usage: %s --list | --smoke | <path> [decisions]\n", argv[0]);
        return 2;
    }
    size_t decisions = p->decisions;
    if (argc == 3) {
        char* end = nullptr;
        decisions = std::strtoul(argv[2], &end, 10);
        if (*end != '\0' || decisions == 0) die("decisions must be a positive integer");
    }
    return measure(*p, decisions);
}
