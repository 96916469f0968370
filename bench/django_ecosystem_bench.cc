// The Django ecosystem's credentials (docs/django.md, "Other packages"), warm (cache hit), through
// the C API as a host calls it: build a request, add the credential header, evaluate, read the
// status, free. Beside them, in the same run, the floor: an anonymous request on an AllowAny view.
//
// Fixture: a Django-shaped SQLite database in a temporary directory (the columns the engine
// reads of auth_user, oauth2_provider_accesstoken, rest_framework_api_key_apikey and
// knox_authtoken), one user, one credential of each kind, "CACHE": {"TTL": 60}.
#include <benchmark/benchmark.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sqlite3.h>

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <string>
#include <string_view>

#include "authpolicy.h"

namespace {

constexpr std::string_view kAuthorization = "Authorization";
constexpr const char* kSecret = "bench-django-secret-key-0123456789abcdefghijklmnop";

[[noreturn]] void die(const char* what, const char* why) {
    std::fprintf(stderr, "django_ecosystem_bench: %s: %s\n", what, why);
    std::exit(1);
}

std::string b64url(std::string_view in) {
    std::string out(4 * ((in.size() + 2) / 3) + 1, '\0');
    const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                  reinterpret_cast<const unsigned char*>(in.data()), static_cast<int>(in.size()));
    out.resize(static_cast<size_t>(n));
    for (char& c : out) c = c == '+' ? '-' : c == '/' ? '_' : c;
    while (!out.empty() && out.back() == '=') out.pop_back();
    return out;
}

std::string b64(std::string_view in) {
    std::string out(4 * ((in.size() + 2) / 3) + 1, '\0');
    const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                  reinterpret_cast<const unsigned char*>(in.data()), static_cast<int>(in.size()));
    out.resize(static_cast<size_t>(n));
    return out;
}

std::string hex(const unsigned char* p, size_t n) {
    static const char* digits = "0123456789abcdef";
    std::string out;
    for (size_t i = 0; i < n; ++i) {
        out.push_back(digits[p[i] >> 4]);
        out.push_back(digits[p[i] & 15]);
    }
    return out;
}

std::string simplejwt_token(long user_id) {
    const long now = static_cast<long>(std::time(nullptr));
    const std::string input = b64url(R"({"alg":"HS256","typ":"JWT"})") + "." +
                              b64url(R"({"token_type":"access","exp":)" + std::to_string(now + 86400) + R"(,"iat":)" +
                                     std::to_string(now) + R"(,"jti":"b1","user_id":)" + std::to_string(user_id) + "}");
    unsigned char mac[32];
    unsigned int len = 0;
    HMAC(EVP_sha256(), kSecret, static_cast<int>(std::string_view(kSecret).size()),
         reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac, &len);
    return input + "." + b64url(std::string_view(reinterpret_cast<const char*>(mac), len));
}

std::string django_pbkdf2(std::string_view password, std::string_view salt, int iterations) {
    unsigned char out[32];
    PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()),
                      reinterpret_cast<const unsigned char*>(salt.data()), static_cast<int>(salt.size()), iterations,
                      EVP_sha256(), sizeof out, out);
    return "pbkdf2_sha256$" + std::to_string(iterations) + "$" + std::string(salt) + "$" +
           b64(std::string_view(reinterpret_cast<const char*>(out), sizeof out));
}

struct Fixture {
    authp_engine* engine = nullptr;
    std::string jwt, dot, api_key, knox;
};

void exec(sqlite3* db, const std::string& sql) {
    char* err = nullptr;
    if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) die("sqlite", err ? err : "?");
}

Fixture& fixture() {
    static Fixture f = [] {
        Fixture x;
        const auto dir = std::filesystem::temp_directory_path() / ("authp-eco-bench-" + std::to_string(::getpid()));
        std::filesystem::create_directories(dir);
        const std::string path = (dir / "db.sqlite3").string();
        sqlite3* db = nullptr;
        if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) die("sqlite3_open", path.c_str());
        x.dot = "dot-bench-token-0123456789abcdef";
        x.api_key = "AbCd1234.benchsecretbenchsecretbenchsec";
        x.knox = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
        unsigned char sha512[64];
        unsigned int len = 0;
        EVP_Digest(x.knox.data(), x.knox.size(), sha512, &len, EVP_sha512(), nullptr);
        exec(
            db,
            "CREATE TABLE auth_user (id INTEGER PRIMARY KEY, username TEXT UNIQUE, password TEXT, is_active INT, "
            "is_staff INT, is_superuser INT);"
            "INSERT INTO auth_user VALUES (1, 'alice', '!', 1, 0, 0);"
            "CREATE TABLE oauth2_provider_accesstoken (id INTEGER PRIMARY KEY, token TEXT UNIQUE, expires TEXT, "
            "scope TEXT, application_id INT, user_id INT);"
            "INSERT INTO oauth2_provider_accesstoken VALUES (1, '" +
                x.dot +
                "', '2999-01-01 00:00:00', 'read write', "
                "1, 1);"
                "CREATE TABLE rest_framework_api_key_apikey (id TEXT PRIMARY KEY, prefix TEXT UNIQUE, hashed_key TEXT, "
                "revoked INT, expiry_date TEXT);"
                "INSERT INTO rest_framework_api_key_apikey VALUES ('x', 'AbCd1234', '" +
                django_pbkdf2(x.api_key, "benchsalt", 1000) +
                "', 0, NULL);"
                "CREATE TABLE knox_authtoken (digest TEXT PRIMARY KEY, created TEXT, user_id INT, expiry TEXT, "
                "token_key TEXT);"
                "CREATE INDEX knox_key ON knox_authtoken (token_key);"
                "INSERT INTO knox_authtoken VALUES ('" +
                hex(sha512, len) + "', '2024-01-01 00:00:00', 1, NULL, '" + x.knox.substr(0, 15) + "');");
        sqlite3_close(db);
        x.jwt = simplejwt_token(1);
        const std::string config = R"({"CACHE": {"TTL": 60}, "DJANGO": {"DATABASE": ")" + path +
                                   R"(", "SECRET_KEY": ")" + kSecret +
                                   R"(", "VERSION": "3.2"},
            "DEFAULT_PERMISSION_CLASSES": ["IsAuthenticated"],
            "VIEWS": {
              "simplejwt": {"authentication_classes": ["rest_framework_simplejwt.authentication.JWTAuthentication"]},
              "dot": {"authentication_classes": ["oauth2_provider.contrib.rest_framework.OAuth2Authentication"]},
              "knox": {"authentication_classes": ["knox.auth.TokenAuthentication"]},
              "api_key": {"authentication_classes": [], "permission_classes": ["rest_framework_api_key.permissions.HasAPIKey"]},
              "public": {"authentication_classes": [], "permission_classes": ["AllowAny"]}}})";
        authp_config* cfg = nullptr;
        if (authp_config_new(&cfg) != AUTHP_OK ||
            authp_config_load_json(cfg, config.data(), config.size(), nullptr) != AUTHP_OK ||
            authp_engine_new(&x.engine, cfg) != AUTHP_OK)
            die("engine", authp_error_last());
        authp_config_free(cfg);
        return x;
    }();
    return f;
}

int decide(const authp_engine* engine, std::string_view view, std::string_view authorization) {
    authp_request* req = nullptr;
    if (authp_request_new(&req, engine) != AUTHP_OK) return -1;
    (void)authp_request_set_view(req, view.data(), view.size());
    if (!authorization.empty())
        (void)authp_request_add_header(req, kAuthorization.data(), kAuthorization.size(), authorization.data(),
                                       authorization.size());
    authp_decision* d = nullptr;
    const int rc = authp_engine_evaluate(&d, engine, req);
    const int status = rc == AUTHP_OK ? authp_decision_status(d) : rc;
    authp_decision_free(d);
    authp_request_free(req);
    return status;
}

double min_of(const std::vector<double>& v) {
    return v.empty() ? 0.0 : *std::min_element(v.begin(), v.end());
}

void run(benchmark::State& state, std::string_view view, const std::string& header) {
    const Fixture& f = fixture();
    if (decide(f.engine, view, header) != 200) {  // fills the cache, outside the timing
        state.SkipWithError(("not allowed: " + std::string(authp_error_last())).c_str());
        return;
    }
    for (auto _ : state) {
        if (decide(f.engine, view, header) != 200) {
            state.SkipWithError("a warm decision was not 200");
            break;
        }
    }
    state.SetItemsProcessed(state.iterations());
}

void BM_Floor_AnonymousAllowAny(benchmark::State& state) {
    run(state, "public", "");
}
BENCHMARK(BM_Floor_AnonymousAllowAny)->ComputeStatistics("min", min_of);

void BM_SimpleJwtWarm(benchmark::State& state) {
    run(state, "simplejwt", "Bearer " + fixture().jwt);
}
BENCHMARK(BM_SimpleJwtWarm)->ComputeStatistics("min", min_of);

void BM_DotOAuth2Warm(benchmark::State& state) {
    run(state, "dot", "Bearer " + fixture().dot);
}
BENCHMARK(BM_DotOAuth2Warm)->ComputeStatistics("min", min_of);

void BM_HasAPIKeyWarm(benchmark::State& state) {
    run(state, "api_key", "Api-Key " + fixture().api_key);
}
BENCHMARK(BM_HasAPIKeyWarm)->ComputeStatistics("min", min_of);

void BM_KnoxWarm(benchmark::State& state) {
    run(state, "knox", "Token " + fixture().knox);
}
BENCHMARK(BM_KnoxWarm)->ComputeStatistics("min", min_of);

}  // namespace

BENCHMARK_MAIN();
