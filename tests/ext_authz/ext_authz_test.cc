// The ext_authz front ends over a real engine (tests/ext_authz/engine_hooks.h): the CheckRequest
// translation, the gRPC server with a real gRPC client, Envoy's HTTP mode.
#include <doctest/doctest.h>
#include <grpcpp/grpcpp.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <stdexcept>
#include <string>
#include <thread>

#include "engine_hooks.h"
#include "envoy/service/auth/v3/external_auth.grpc.pb.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "server/ext_authz/http_mode.h"
#include "server/grpc/check_translation.h"
#include "server/grpc/ext_authz_grpc.h"

using authpolicy::server::ExtAuthzGrpcServer;
using authpolicy::server::ForwardedRequest;
using authpolicy::test::EngineHooks;
using envoy::service::auth::v3::CheckRequest;
using envoy::service::auth::v3::CheckResponse;
namespace ea = authpolicy::server::ext_authz;

namespace {

std::string temp_db() {
    static int n = 0;
    auto p = std::filesystem::temp_directory_path() /
             ("authp_ext_authz_" + std::to_string(::getpid()) + "_" + std::to_string(n++) + ".sqlite3");
    std::filesystem::remove(p);
    return p.string();
}

// Basic then Token; IsAuthenticated by default; /admin/ is IsAdminUser; /limited/ is open to
// anyone at 2 anonymous requests a minute.
std::string policy(const std::string& db) {
    return R"({"DATABASE": ")" + db + R"(", "PASSWORD_ITERATIONS": 1000,
      "DEFAULT_AUTHENTICATION_CLASSES": ["BasicAuthentication", "TokenAuthentication"],
      "DEFAULT_PERMISSION_CLASSES": ["IsAuthenticated"],
      "VIEWS": {"admin": {"permission_classes": ["IsAdminUser"]},
                "limited": {"permission_classes": ["AllowAny"],
                            "throttle_classes": [{"class": "AnonRateThrottle", "rate": "2/min"}]}}})";
}

struct Fixture {
    std::string db = temp_db();
    EngineHooks engine{policy(db), {{"/admin/", "admin"}, {"/limited/", "limited"}}};
    std::string token;
    std::int64_t alice_id = 0;

    Fixture() {
        REQUIRE(authp_user_add(&alice_id, engine.engine(), "alice", 5, "secret", 6, 0) == AUTHP_OK);
        char* key = nullptr;
        REQUIRE(authp_token_create(&key, engine.engine(), "alice", 5, nullptr, 0, 0) == AUTHP_OK);
        token = key;
        authp_free(key);
    }
    ~Fixture() {
        // SQLite's WAL leaves two companions beside the file.
        for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(db + suffix);
    }
};

CheckRequest check(const std::string& method, const std::string& path,
                   std::initializer_list<std::pair<const char*, std::string>> headers,
                   const std::string& ip = "203.0.113.7") {
    CheckRequest r;
    auto* attrs = r.mutable_attributes();
    auto* sock = attrs->mutable_source()->mutable_address()->mutable_socket_address();
    sock->set_address(ip);
    sock->set_port_value(40000);
    auto* http = attrs->mutable_request()->mutable_http();
    http->set_method(method);
    http->set_path(path);
    http->set_host("api.example");
    http->set_scheme("https");
    (*http->mutable_headers())[":authority"] = "api.example";
    (*http->mutable_headers())[":method"] = method;
    (*http->mutable_headers())[":path"] = path;
    for (const auto& [k, v] : headers) (*http->mutable_headers())[k] = v;
    return r;
}

std::string header_of(const google::protobuf::RepeatedPtrField<envoy::config::core::v3::HeaderValueOption>& list,
                      const std::string& name) {
    for (const auto& h : list) {
        if (h.header().key() == name) return h.header().value();
    }
    return "<absent>";
}

struct Client {
    std::shared_ptr<grpc::Channel> channel;
    std::unique_ptr<envoy::service::auth::v3::Authorization::Stub> authz;
    std::unique_ptr<grpc::health::v1::Health::Stub> health;
    explicit Client(const std::string& addr)
        : channel(grpc::CreateChannel(addr, grpc::InsecureChannelCredentials())),
          authz(envoy::service::auth::v3::Authorization::NewStub(channel)),
          health(grpc::health::v1::Health::NewStub(channel)) {}

    CheckResponse call(const CheckRequest& req) {
        grpc::ClientContext ctx;
        ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
        CheckResponse resp;
        const grpc::Status st = authz->Check(&ctx, req, &resp);
        REQUIRE_MESSAGE(st.ok(), st.error_message());
        return resp;
    }
    grpc::health::v1::HealthCheckResponse::ServingStatus health_of(const std::string& service, grpc::StatusCode* code) {
        grpc::ClientContext ctx;
        ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
        grpc::health::v1::HealthCheckRequest req;
        req.set_service(service);
        grpc::health::v1::HealthCheckResponse resp;
        *code = health->Check(&ctx, req, &resp).error_code();
        return resp.status();
    }
};

}  // namespace

TEST_CASE("CheckRequest translation: method, path without query, host, scheme, headers, source IP") {
    CheckRequest r =
        check("post", "/api/items?secret=1#frag", {{"authorization", "Token abc"}, {"cookie", "a=1; b=2"}});
    std::string error;
    auto fr = ea::forwarded_request_from_check(r, &error);
    REQUIRE(fr.has_value());
    CHECK(fr->method == "post");
    CHECK(fr->path == "/api/items");
    CHECK(fr->host == "api.example");
    CHECK(fr->secure);
    CHECK(fr->remote_addr == "203.0.113.7");
    CHECK(fr->front_end == "ext_authz_grpc");
    bool saw_authorization = false;
    for (const auto& [k, v] : fr->headers) {
        CHECK(k.front() != ':');  // pseudo-headers describe the request line, not headers
        if (k == "authorization") saw_authorization = v == "Token abc";
    }
    CHECK(saw_authorization);
    CHECK(fr->headers.size() == 2);
}

TEST_CASE("CheckRequest translation: encode_raw_headers (header_map, raw_value) and :authority as host") {
    CheckRequest r;
    auto* http = r.mutable_attributes()->mutable_request()->mutable_http();
    http->set_method("GET");
    http->set_path("/x");
    auto* h = http->mutable_header_map()->add_headers();
    h->set_key(":authority");
    h->set_raw_value("raw.example");
    h = http->mutable_header_map()->add_headers();
    h->set_key("x-forwarded-for");
    h->set_raw_value("198.51.100.1");
    h = http->mutable_header_map()->add_headers();
    h->set_key("x-forwarded-for");
    h->set_raw_value("198.51.100.2");
    auto fr = ea::forwarded_request_from_check(r, nullptr);
    REQUIRE(fr.has_value());
    CHECK(fr->host == "raw.example");
    CHECK(!fr->secure);
    CHECK(fr->remote_addr.empty());
    REQUIRE(fr->headers.size() == 2);  // repeats kept
    CHECK(fr->headers[1].second == "198.51.100.2");
}

TEST_CASE("CheckRequest translation: malformed requests are refused with a reason") {
    std::string error;
    CHECK_FALSE(ea::forwarded_request_from_check(CheckRequest{}, &error));
    CHECK(error.find("attributes.request.http") != std::string::npos);
    CHECK_FALSE(ea::forwarded_request_from_check(check("GE T", "/", {}), &error));
    CHECK_FALSE(ea::forwarded_request_from_check(check("", "/", {}), &error));
    CHECK_FALSE(ea::forwarded_request_from_check(check("GET", "relative", {}), &error));
    CHECK_FALSE(ea::forwarded_request_from_check(check("GET", "?only=query", {}), &error));
    CHECK_FALSE(ea::forwarded_request_from_check(check("GET", "/a b", {}), &error));
    CHECK_FALSE(ea::forwarded_request_from_check(check("GET", "/", {{"x-a", "1\r\nx-b: 2"}}), &error));
    CHECK_FALSE(ea::forwarded_request_from_check(check("GET", "/", {{"bad name", "1"}}), &error));
    CHECK_FALSE(ea::forwarded_request_from_check(check("GET", "/", {{"x-a", std::string("a\0b", 3)}}), &error));
    CHECK_FALSE(ea::forwarded_request_from_check(check("GET", "/", {}, "not-an-ip"), &error));
    CHECK(error.find("source address") != std::string::npos);
    CHECK(ea::forwarded_request_from_check(check("GET", "/", {}, "2001:db8::1"), &error));
}

TEST_CASE("CheckResponse: allow sets identity headers with append=false and removes empty ones") {
    authpolicy::server::ForwardedAnswer a;
    a.allowed = true;
    a.status = 200;
    a.headers = {{"x-auth-user", ""}, {"x-auth-user-id", ""}, {"x-auth-authenticator", "TokenAuthentication"}};
    CheckResponse resp;
    ea::check_response_from_answer(a, &resp);
    CHECK(resp.status().code() == 0);
    REQUIRE(resp.has_ok_response());
    REQUIRE(resp.ok_response().headers_size() == 1);
    CHECK(resp.ok_response().headers(0).has_append());
    CHECK_FALSE(resp.ok_response().headers(0).append().value());
    CHECK(resp.ok_response().headers_to_remove_size() == 2);
}

TEST_CASE("CheckResponse: a deny whose status is not 4xx/5xx is answered 503, never allowed") {
    authpolicy::server::ForwardedAnswer a;
    a.allowed = false;
    a.status = 200;
    CheckResponse resp;
    ea::check_response_from_answer(a, &resp);
    CHECK(resp.status().code() == 14);
    CHECK(resp.denied_response().status().code() == 503);
}

TEST_CASE("gRPC Check over a real engine: allowed, unauthenticated, forbidden, throttled, malformed") {
    Fixture f;
    ExtAuthzGrpcServer server(f.engine.hooks(), "127.0.0.1:0");
    Client client(server.bound_address());

    SUBCASE("allowed with a token: OK and the identity headers") {
        auto resp = client.call(check("GET", "/api/x", {{"authorization", "Token " + f.token}}));
        CHECK(resp.status().code() == 0);
        REQUIRE(resp.has_ok_response());
        CHECK(header_of(resp.ok_response().headers(), "x-auth-user") == "alice");
        CHECK(header_of(resp.ok_response().headers(), "x-auth-user-id") == std::to_string(f.alice_id));
        CHECK(header_of(resp.ok_response().headers(), "x-auth-authenticator") == "TokenAuthentication");
    }
    SUBCASE("no credentials: UNAUTHENTICATED, 401 with the Basic challenge and DRF's body") {
        auto resp = client.call(check("GET", "/api/x", {}));
        CHECK(resp.status().code() == 16);
        REQUIRE(resp.has_denied_response());
        CHECK(resp.denied_response().status().code() == 401);
        CHECK(header_of(resp.denied_response().headers(), "www-authenticate") == R"(Basic realm="api")");
        CHECK(resp.denied_response().body() == R"({"detail":"Authentication credentials were not provided."})");
    }
    SUBCASE("bad password: UNAUTHENTICATED with DRF's message") {
        auto resp = client.call(check("GET", "/api/x", {{"authorization", "Basic YWxpY2U6d3Jvbmc="}}));
        CHECK(resp.status().code() == 16);
        CHECK(resp.denied_response().body() == R"({"detail":"Invalid username/password."})");
    }
    SUBCASE("not staff on the admin view: PERMISSION_DENIED, 403") {
        auto resp = client.call(check("GET", "/admin/users", {{"authorization", "Token " + f.token}}));
        CHECK(resp.status().code() == 7);
        CHECK(resp.denied_response().status().code() == 403);
        CHECK(resp.denied_response().body() == R"({"detail":"You do not have permission to perform this action."})");
    }
    SUBCASE("throttled: RESOURCE_EXHAUSTED, 429 with Retry-After") {
        for (int i = 0; i < 2; ++i) CHECK(client.call(check("GET", "/limited/a", {})).status().code() == 0);
        auto resp = client.call(check("GET", "/limited/a", {}));
        CHECK(resp.status().code() == 8);
        CHECK(resp.denied_response().status().code() == 429);
        CHECK(header_of(resp.denied_response().headers(), "retry-after") != "<absent>");
        // Another client address has its own allowance (the source address is the throttle's ident).
        CHECK(client.call(check("GET", "/limited/a", {}, "203.0.113.8")).status().code() == 0);
    }
    SUBCASE("malformed: INVALID_ARGUMENT with a 400 denial, and no decision is made") {
        const int before = f.engine.decisions.load();
        auto resp = client.call(CheckRequest{});
        CHECK(resp.status().code() == 3);
        CHECK(resp.denied_response().status().code() == 400);
        CHECK(f.engine.decisions.load() == before);
        CHECK(server.malformed_count() == 1);
    }
}

TEST_CASE("gRPC health follows ready()") {
    Fixture f;
    ExtAuthzGrpcServer server(f.engine.hooks(), "127.0.0.1:0");
    Client client(server.bound_address());
    grpc::StatusCode code{};
    CHECK(client.health_of("", &code) == grpc::health::v1::HealthCheckResponse::SERVING);
    CHECK(code == grpc::StatusCode::OK);
    CHECK(client.health_of("envoy.service.auth.v3.Authorization", &code) ==
          grpc::health::v1::HealthCheckResponse::SERVING);
    client.health_of("no.such.Service", &code);
    CHECK(code == grpc::StatusCode::NOT_FOUND);

    // Watch sees the change without a new call.
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    grpc::health::v1::HealthCheckRequest req;
    auto reader = client.health->Watch(&ctx, req);
    grpc::health::v1::HealthCheckResponse msg;
    REQUIRE(reader->Read(&msg));
    CHECK(msg.status() == grpc::health::v1::HealthCheckResponse::SERVING);
    f.engine.ready = false;
    REQUIRE(reader->Read(&msg));
    CHECK(msg.status() == grpc::health::v1::HealthCheckResponse::NOT_SERVING);
    CHECK(client.health_of("", &code) == grpc::health::v1::HealthCheckResponse::NOT_SERVING);
    ctx.TryCancel();
}

TEST_CASE("gRPC server: a port in use is a clear error; shutdown ends Watch streams") {
    Fixture f;
    auto server = std::make_unique<ExtAuthzGrpcServer>(f.engine.hooks(), "127.0.0.1:0");
    const std::string addr = server->bound_address();
    try {
        ExtAuthzGrpcServer second(f.engine.hooks(), addr);
        FAIL("a second server bound " << addr);
    } catch (const std::runtime_error& e) {
        CHECK(std::string(e.what()).find(addr) != std::string::npos);
    }
    CHECK_THROWS_AS(ExtAuthzGrpcServer(f.engine.hooks(), "no-port"), std::runtime_error);

    Client client(addr);
    grpc::ClientContext ctx;
    grpc::health::v1::HealthCheckRequest req;
    auto reader = client.health->Watch(&ctx, req);
    grpc::health::v1::HealthCheckResponse msg;
    REQUIRE(reader->Read(&msg));
    const auto start = std::chrono::steady_clock::now();
    server->shutdown(std::chrono::seconds(5));
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(4));
    while (reader->Read(&msg)) {
    }
    CHECK(reader->Finish().error_code() == grpc::StatusCode::UNAVAILABLE);
}

TEST_CASE("Envoy HTTP mode: the original path after path_prefix, headers, host, scheme") {
    authpolicy::server::HeaderList h = {
        {"Host", "api.example"}, {"Authorization", "Token x"}, {"X-Forwarded-Proto", "https"}};
    auto r = authpolicy::server::ext_authz_http_request("DELETE", "/ext_authz/api/items/3?x=1", h, "10.0.0.2",
                                                        "/ext_authz/");
    REQUIRE(r.has_value());
    CHECK(r->path == "/api/items/3");
    CHECK(r->method == "DELETE");
    CHECK(r->host == "api.example");
    CHECK(r->secure);
    CHECK(r->remote_addr == "10.0.0.2");
    CHECK(r->front_end == "ext_authz_http");
    CHECK(r->headers == h);
    CHECK(authpolicy::server::ext_authz_http_request("GET", "/ext_authz", h, "", "/ext_authz")->path == "/");
    CHECK(authpolicy::server::ext_authz_http_request("GET", "/ext_authz?q", h, "", "/ext_authz")->path == "/");
    CHECK_FALSE(authpolicy::server::ext_authz_http_request("GET", "/ext_authzfoo", h, "", "/ext_authz"));
    CHECK_FALSE(authpolicy::server::ext_authz_http_request("GET", "/other/x", h, "", "/ext_authz"));
    CHECK(authpolicy::server::ext_authz_http_request("GET", "/x", h, "", "")->path == "/x");
    CHECK_FALSE(authpolicy::server::ext_authz_http_request("GET", "*", h, "", ""));
}

TEST_CASE("Envoy HTTP mode over a real engine answers as the gRPC mode does") {
    Fixture f;
    authpolicy::server::HeaderList h = {{"host", "api.example"}, {"authorization", "Token " + f.token}};
    auto r = authpolicy::server::ext_authz_http_request("GET", "/authz/admin/x", h, "127.0.0.1", "/authz");
    REQUIRE(r.has_value());
    auto answer = f.engine.decide(*r);
    CHECK(answer.status == 403);
    CHECK_FALSE(answer.allowed);
}

TEST_CASE("gRPC server over capacity: Checks beyond the workers and the queue are shed with 503, not queued") {
    Fixture f;
    // One worker, one queue slot; the decision (a real one) waits at a gate until 4 of 6 were shed.
    std::promise<void> gate;
    std::shared_future<void> open = gate.get_future().share();
    authpolicy::server::DecisionHooks hooks{[&](const ForwardedRequest& r) {
                                                open.wait();
                                                return f.engine.decide(r);
                                            },
                                            [] { return true; }};
    ExtAuthzGrpcServer::Limits limits;
    limits.workers = 1;
    limits.queue = 1;
    ExtAuthzGrpcServer server(hooks, "127.0.0.1:0", limits);
    Client client(server.bound_address());
    std::vector<std::future<CheckResponse>> calls;
    for (int i = 0; i < 6; ++i) {
        calls.push_back(std::async(std::launch::async, [&] { return client.call(check("GET", "/api/x", {})); }));
    }
    for (int i = 0; i < 1000 && server.shed_count() < 4; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    CHECK(server.shed_count() >= 4);
    gate.set_value();
    int shed = 0, decided = 0;
    for (auto& c : calls) {
        const CheckResponse resp = c.get();
        if (resp.status().code() == 14) {
            ++shed;
            CHECK(resp.denied_response().status().code() == 503);
            CHECK(header_of(resp.denied_response().headers(), "retry-after") == "1");
        } else {
            ++decided;
            CHECK(resp.status().code() == 16);  // no credentials: decided, and denied
        }
    }
    // The worker takes the first call off the queue at its own pace: one or two are admitted.
    CHECK(decided >= 1);
    CHECK(decided <= 2);
    CHECK(shed + decided == 6);
    CHECK(server.shed_count() == static_cast<std::uint64_t>(shed));
}
