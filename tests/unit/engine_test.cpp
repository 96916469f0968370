// The engine's decision procedure (drf-spec §2, §3, §10): ordering, laziness, 401 vs 403.
#include <doctest/doctest.h>

#include "core/authn/custom_authenticator.h"
#include "core/common/error.h"
#include "test_support.h"

using authp_test::basic;
using authp_test::Fixture;
using authp_test::header;
using authpolicy::authn::AuthOutcome;
using authpolicy::authn::CustomAuthenticator;

namespace {

// A custom authenticator that counts its calls and does what it is told.
struct Scripted {
    std::shared_ptr<int> calls = std::make_shared<int>(0);
    std::shared_ptr<const CustomAuthenticator> make(const std::string& name, AuthOutcome outcome,
                                                    std::optional<std::string> challenge = std::nullopt) {
        auto counter = calls;
        CustomAuthenticator::ChallengeFn ch;
        if (challenge) ch = [challenge](const authpolicy::http::Request&) { return challenge; };
        return std::make_shared<CustomAuthenticator>(
            name,
            [counter, outcome](const authpolicy::http::Request&) {
                ++*counter;
                return outcome;
            },
            ch);
    }
};

authpolicy::UserPtr user_named(const std::string& name) {
    auto u = std::make_shared<authpolicy::User>();
    u->username = name;
    u->id = 42;
    return u;
}

}  // namespace

TEST_CASE("401 vs 403 is decided by the first configured authenticator's challenge (§3.3 matrix)") {
    Scripted session;  // stands in for SessionAuthentication: never challenges, not applicable here
    authpolicy::HostHooks hooks;
    hooks.custom_authenticators["Session"] = session.make("Session", AuthOutcome::not_applicable());

    Fixture f(R"({"DEFAULT_PERMISSION_CLASSES": ["IsAuthenticated"],
                  "VIEWS": {
                    "session_basic": {"authentication_classes": ["Session", "BasicAuthentication"]},
                    "basic_session": {"authentication_classes": ["BasicAuthentication", "Session"]},
                    "token_basic": {"authentication_classes": ["TokenAuthentication", "BasicAuthentication"]},
                    "none": {"authentication_classes": []},
                    "admin": {"authentication_classes": ["BasicAuthentication"], "permission_classes": ["IsAdminUser"]}}})",
              hooks);
    f.add_user("john", "password");

    auto d = f.decide("", "GET", "session_basic");
    CHECK(d.status == 403);
    CHECK(d.detail == "Authentication credentials were not provided.");
    CHECK(header(d, "WWW-Authenticate") == "<absent>");

    d = f.decide(basic("john:wrong"), "GET", "session_basic");
    CHECK(d.status == 403);
    CHECK(d.detail == "Invalid username/password.");

    d = f.decide("", "GET", "basic_session");
    CHECK(d.status == 401);
    CHECK(header(d, "WWW-Authenticate") == "Basic realm=\"api\"");

    CHECK(f.decide(basic("john:password"), "GET", "token_basic").status == 200);
    d = f.decide("", "GET", "token_basic");
    CHECK(d.status == 401);
    CHECK(header(d, "WWW-Authenticate") == "Token");

    d = f.decide("", "GET", "none");
    CHECK(d.status == 403);
    CHECK(d.detail == "You do not have permission to perform this action.");
    CHECK(d.code == "permission_denied");

    d = f.decide(basic("john:password"), "GET", "admin");
    CHECK(d.status == 403);
    CHECK(d.detail == "You do not have permission to perform this action.");
    d = f.decide("", "GET", "admin");
    CHECK(d.status == 401);
    CHECK(d.code == "not_authenticated");
    CHECK(d.detail == "Authentication credentials were not provided.");
}

TEST_CASE("test_incorrect_credentials: a failing authenticator without a challenge and no permissions → 403") {
    Scripted bad;
    authpolicy::HostHooks hooks;
    hooks.custom_authenticators["Bad"] = bad.make("Bad", AuthOutcome::failure("Bad credentials"));
    Fixture f(R"({"DEFAULT_AUTHENTICATION_CLASSES": ["Bad"], "DEFAULT_PERMISSION_CLASSES": []})", hooks);
    const auto d = f.decide("");
    CHECK(d.status == 403);
    CHECK(d.detail == "Bad credentials");
    CHECK(d.code == "authentication_failed");
    CHECK_FALSE(d.user->is_authenticated);  // test_failing_auth_accessed_in_renderer: anonymous afterwards
}

TEST_CASE("test_permission_message_with_no_authentication_classes") {
    Fixture f(R"({"DEFAULT_AUTHENTICATION_CLASSES": [],
                  "DEFAULT_PERMISSION_CLASSES": [{"class": "IsAuthenticated", "message": "Dummy permission message"}]})");
    const auto d = f.decide("");
    CHECK(d.status == 403);
    CHECK(d.detail == "Dummy permission message");
}

TEST_CASE("a custom message is lost when authenticators exist and none succeeded (NotAuthenticated)") {
    Fixture f(
        R"({"DEFAULT_PERMISSION_CLASSES": [{"class": "IsAdminUser", "message": "Staff only.", "code": "staff"}]})");
    f.add_user("john", "password");
    auto d = f.decide("");
    CHECK(d.status == 401);
    CHECK(d.detail == "Authentication credentials were not provided.");
    d = f.decide(basic("john:password"));
    CHECK(d.status == 403);
    CHECK(d.detail == "Staff only.");
    CHECK(d.code == "staff");
}

TEST_CASE("authentication is eager by default: a bad header fails even an AllowAny view (DRF verified)") {
    Fixture f(R"({"DEFAULT_PERMISSION_CLASSES": ["AllowAny"]})");
    const auto d = f.decide(basic("john:nope"));
    CHECK(d.status == 401);
    CHECK(d.detail == "Invalid username/password.");
}

TEST_CASE("lazy views: authenticators run only when the user is read, and at most once") {
    Scripted counting;
    authpolicy::HostHooks hooks;
    hooks.custom_authenticators["Counting"] =
        counting.make("Counting", AuthOutcome::success(user_named("carol"), nullptr));
    Fixture f(R"({"DEFAULT_AUTHENTICATION_CLASSES": ["Counting"],
                  "VIEWS": {"open": {"permission_classes": ["AllowAny"], "perform_authentication": false},
                            "closed": {"permission_classes": ["IsAuthenticated"], "perform_authentication": false}}})",
              hooks);
    authpolicy::AuthState state;
    auto d = f.engine->evaluate(authp_test::request("", "GET", "open"), state);
    CHECK(d.allowed);
    CHECK(*counting.calls == 0);
    CHECK_FALSE(d.authentication_ran);
    CHECK(d.user == nullptr);
    // The host reads the user twice: one call.
    const auto r = authp_test::request("", "GET", "open");
    f.engine->authenticate(r, *f.engine->policy_for("open"), state);
    f.engine->authenticate(r, *f.engine->policy_for("open"), state);
    CHECK(*counting.calls == 1);
    CHECK(state.user->username == "carol");
    // A permission that reads the user authenticates once.
    authpolicy::AuthState s2;
    d = f.engine->evaluate(authp_test::request("", "GET", "closed"), s2);
    CHECK(d.allowed);
    CHECK(*counting.calls == 2);
    // Eager default policy: exactly one call per request.
    authpolicy::AuthState s3;
    f.engine->evaluate(authp_test::request(), s3);
    CHECK(*counting.calls == 3);
}

TEST_CASE("the first authenticator that succeeds wins; a failure stops the chain") {
    Scripted a, b, c;
    authpolicy::HostHooks hooks;
    hooks.custom_authenticators["A"] = a.make("A", AuthOutcome::not_applicable());
    hooks.custom_authenticators["B"] = b.make("B", AuthOutcome::success(user_named("bob"), nullptr));
    hooks.custom_authenticators["C"] = c.make("C", AuthOutcome::success(user_named("carl"), nullptr));
    hooks.custom_authenticators["F"] = c.make("F", AuthOutcome::failure("nope"), std::string("Custom"));
    Fixture f(R"({"VIEWS": {"abc": {"authentication_classes": ["A", "B", "C"]},
                            "afc": {"authentication_classes": ["A", "F", "C"], "permission_classes": ["AllowAny"]}}})",
              hooks);
    auto d = f.decide("", "GET", "abc");
    CHECK(d.authenticator == "B");
    CHECK(d.user->username == "bob");
    CHECK(*a.calls == 1);
    CHECK(*b.calls == 1);
    CHECK(*c.calls == 0);
    d = f.decide("", "GET", "afc");
    CHECK(d.status == 403);  // first authenticator A has no challenge
    CHECK(d.detail == "nope");
    CHECK(*c.calls == 1);  // only F ran from that pair; C never did
}

TEST_CASE("UNAUTHENTICATED_USER null and UNAUTHENTICATED_TOKEN") {
    Fixture f(R"({"UNAUTHENTICATED_USER": null, "UNAUTHENTICATED_TOKEN": {"anon": true}})");
    const auto d = f.decide("");
    CHECK(d.allowed);
    CHECK(d.user == nullptr);
    CHECK(*d.auth == R"({"anon":true})");
    Fixture g(R"({"UNAUTHENTICATED_USER": null, "DEFAULT_PERMISSION_CLASSES": ["IsAuthenticated"]})");
    CHECK(g.decide("").status == 401);  // a null user counts as anonymous for permissions
}

TEST_CASE("IsAuthenticatedOrReadOnly (Basic view, anonymous): GET/HEAD/OPTIONS 200; POST/DELETE 401") {
    Fixture f(R"({"DEFAULT_PERMISSION_CLASSES": ["IsAuthenticatedOrReadOnly"]})");
    for (const char* m : {"GET", "HEAD", "OPTIONS"}) CHECK(f.decide("", m).status == 200);
    for (const char* m : {"POST", "DELETE"}) {
        const auto d = f.decide("", m);
        CHECK(d.status == 401);
        CHECK(d.detail == "Authentication credentials were not provided.");
    }
}

TEST_CASE("an oversize request is answered 400 without running authenticators") {
    Scripted counting;
    authpolicy::HostHooks hooks;
    hooks.custom_authenticators["Counting"] = counting.make("Counting", AuthOutcome::not_applicable());
    Fixture f(R"({"DEFAULT_AUTHENTICATION_CLASSES": ["Counting"]})", hooks);
    authpolicy::http::Request r;
    r.add_header("Authorization", std::string(9000, 'x'));
    const auto d = f.decide(r);
    CHECK(d.status == 400);
    CHECK(d.code == "parse_error");
    CHECK(*counting.calls == 0);
}

TEST_CASE("an unknown view is an error, not a decision") {
    Fixture f("{}");
    CHECK_THROWS_WITH_AS(f.decide("", "GET", "nope"), "unknown view 'nope'", authpolicy::Error);
}

TEST_CASE("machinery failures propagate and leave the request anonymous, not retried") {
    authpolicy::HostHooks hooks;
    auto calls = std::make_shared<int>(0);
    hooks.custom_authenticators["Boom"] = std::make_shared<CustomAuthenticator>(
        "Boom",
        [calls](const authpolicy::http::Request&) -> AuthOutcome {
            ++*calls;
            throw authpolicy::Error(authpolicy::ErrorCode::User, "host raised");
        },
        nullptr);
    Fixture f(R"({"DEFAULT_AUTHENTICATION_CLASSES": ["Boom"]})", hooks);
    authpolicy::AuthState state;
    const auto r = authp_test::request();
    CHECK_THROWS_AS(f.engine->evaluate(r, state), authpolicy::Error);
    CHECK(state.status == authpolicy::AuthState::Status::Anonymous);
    f.engine->authenticate(r, *f.engine->policy_for(""), state);
    CHECK(*calls == 1);
    CHECK(authpolicy::Engine::safe_denial().status == 503);
}

TEST_CASE("the user lookup hook comes first; nullopt passes to the built-in directory") {
    authpolicy::HostHooks hooks;
    auto hashed = std::make_shared<std::string>();
    hooks.user_lookup = [hashed](std::optional<std::string_view> name, int64_t) -> std::optional<authpolicy::UserPtr> {
        if (name && *name == "host") {
            auto u = std::make_shared<authpolicy::User>();
            u->username = "host";
            u->password = *hashed;
            return u;
        }
        if (name && *name == "ghost") return authpolicy::UserPtr{};
        return std::nullopt;
    };
    Fixture f(R"({"DEFAULT_PERMISSION_CLASSES": ["IsAuthenticated"]})", hooks);
    *hashed = f.engine->services().hashers().make("pw");
    f.add_user("local", "pw");
    f.add_user("ghost", "pw");  // present locally, but the host says it does not exist
    CHECK(f.decide(basic("host:pw")).status == 200);
    CHECK(f.decide(basic("local:pw")).status == 200);
    CHECK(f.decide(basic("ghost:pw")).status == 401);
}

TEST_CASE("the decision JSON has the CLI's shape") {
    Fixture f(R"({"DEFAULT_PERMISSION_CLASSES": ["IsAuthenticated"]})");
    CHECK(
        f.decide("").to_json() ==
        R"({"allowed":false,"status":401,"code":"not_authenticated","detail":"Authentication credentials were not provided.",)"
        R"("authenticator":null,"user":{"id":null,"username":"","is_authenticated":false,"is_active":false,)"
        R"("is_staff":false,"is_superuser":false},"auth":null,"headers":{"WWW-Authenticate":"Basic realm=\"api\""},)"
        R"("body":{"detail":"Authentication credentials were not provided."}})");
}
