// RemoteUserAuthentication (drf-spec §1.6, §8.1 row 40): never fails, never challenges.
#include <doctest/doctest.h>

#include "test_support.h"

using authp_test::Fixture;

TEST_CASE("test_remote_user_works: REMOTE_USER from the server authenticates") {
    Fixture f(R"({"DEFAULT_AUTHENTICATION_CLASSES": ["RemoteUserAuthentication"],
                  "DEFAULT_PERMISSION_CLASSES": ["IsAuthenticated"]})");
    f.add_user("john", "password");
    authpolicy::http::Request r;
    r.set_method("POST");
    r.set_remote_user("john");
    const auto d = f.decide(r);
    CHECK(d.status == 200);
    CHECK(d.user->username == "john");
    CHECK(d.authenticator == "RemoteUserAuthentication");
}

TEST_CASE("unknown remote users are created (RemoteUserBackend default) unless disabled") {
    Fixture create(R"({"DEFAULT_AUTHENTICATION_CLASSES": ["RemoteUserAuthentication"],
                       "DEFAULT_PERMISSION_CLASSES": ["IsAuthenticated"]})");
    authpolicy::http::Request r;
    r.set_remote_user("newbie");
    CHECK(create.decide(r).status == 200);
    CHECK(create.engine->services().directory()->find_user("newbie"));

    Fixture keep(
        R"({"DEFAULT_AUTHENTICATION_CLASSES": [{"class": "RemoteUserAuthentication", "create_unknown_user": false}],
                     "DEFAULT_PERMISSION_CLASSES": ["IsAuthenticated"]})");
    const auto d = keep.decide(r);
    CHECK(d.status == 403);  // no challenge: NotAuthenticated becomes 403
    CHECK(d.detail == "Authentication credentials were not provided.");
}

TEST_CASE("a client-sent header is ignored unless a trusted header is configured") {
    Fixture f(R"({"DEFAULT_AUTHENTICATION_CLASSES": ["RemoteUserAuthentication"],
                  "DEFAULT_PERMISSION_CLASSES": ["IsAuthenticated"]})");
    f.add_user("john", "password");
    authpolicy::http::Request spoof;
    spoof.add_header("Remote-User", "john");
    CHECK(f.decide(spoof).status == 403);

    Fixture proxy(
        R"({"DEFAULT_AUTHENTICATION_CLASSES": [{"class": "RemoteUserAuthentication", "header": "X-Remote-User"}],
                      "DEFAULT_PERMISSION_CLASSES": ["IsAuthenticated"]})");
    proxy.add_user("john", "password");
    authpolicy::http::Request r;
    r.add_header("x-remote-user", "john");
    CHECK(proxy.decide(r).status == 200);
}

TEST_CASE("an inactive remote user is not authenticated, and nothing fails") {
    Fixture f(R"({"DEFAULT_AUTHENTICATION_CLASSES": ["RemoteUserAuthentication"],
                  "DEFAULT_PERMISSION_CLASSES": ["AllowAny"]})");
    f.add_user("john", "password", false);
    authpolicy::http::Request r;
    r.set_remote_user("john");
    const auto d = f.decide(r);
    CHECK(d.status == 200);
    CHECK_FALSE(d.user->is_authenticated);
}
