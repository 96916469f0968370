#include "core/authz/permission.h"

#include <doctest/doctest.h>

using namespace authpolicy;
using namespace authpolicy::authz;

namespace {

struct Ctx : PermissionContext {
    UserPtr u;
    std::string m = "GET";
    int reads = 0;
    const User* user() override {
        ++reads;
        return u.get();
    }
    std::string_view method() const override { return m; }
};

UserPtr john(bool staff = false) {
    auto u = std::make_shared<User>();
    u->id = 1;
    u->username = "john";
    u->is_staff = staff;
    return u;
}

PermissionPtr P(const char* name) {
    return make_builtin(name);
}

}  // namespace

// DRF tests/test_permissions.py PermissionsCompositionTests.
TEST_CASE("test_and_false / test_and_true: IsAuthenticated & AllowAny") {
    Ctx anon, user;
    anon.u = User::anonymous();
    user.u = john();
    auto p = make_and(P("IsAuthenticated"), P("AllowAny"));
    CHECK_FALSE(p->has_permission(anon));
    CHECK(p->has_permission(user));
}

TEST_CASE("test_or_false / test_or_true: IsAuthenticated | AllowAny") {
    Ctx anon, user;
    anon.u = User::anonymous();
    user.u = john();
    auto p = make_or(P("IsAuthenticated"), P("AllowAny"));
    CHECK(p->has_permission(anon));
    CHECK(p->has_permission(user));
}

TEST_CASE("test_not_false / test_not_true") {
    Ctx anon, user;
    anon.u = User::anonymous();
    user.u = john();
    CHECK(make_not(P("IsAuthenticated"))->has_permission(anon));
    CHECK_FALSE(make_not(P("AllowAny"))->has_permission(user));
}

TEST_CASE("test_several_levels_and_precedence_with_negation") {
    Ctx user;
    user.u = john();
    // IsAuthenticated & ~IsAdminUser & IsAuthenticated & ~(IsAdminUser & IsAdminUser)
    auto p = make_and(make_and(make_and(P("IsAuthenticated"), make_not(P("IsAdminUser"))), P("IsAuthenticated")),
                      make_not(make_and(P("IsAdminUser"), P("IsAdminUser"))));
    CHECK(p->has_permission(user));
}

TEST_CASE("test_or_laziness / test_and_laziness: short-circuit left to right") {
    Ctx anon;
    anon.u = User::anonymous();
    CHECK(make_or(P("AllowAny"), P("IsAuthenticated"))->has_permission(anon));
    CHECK(anon.reads == 0);  // IsAuthenticated never evaluated: the user is never read
    CHECK_FALSE(make_and(P("IsAuthenticated"), P("AllowAny"))->has_permission(anon));
    CHECK(anon.reads == 1);
}

TEST_CASE("IsAdminUser is staff, not superuser, and treats a null user as anonymous") {
    Ctx staff, plain, none;
    staff.u = john(true);
    plain.u = john(false);
    CHECK(P("IsAdminUser")->has_permission(staff));
    CHECK_FALSE(P("IsAdminUser")->has_permission(plain));
    CHECK_FALSE(P("IsAdminUser")->has_permission(none));
    CHECK_FALSE(P("IsAuthenticated")->has_permission(none));
}

TEST_CASE("IsAuthenticatedOrReadOnly: GET/HEAD/OPTIONS pass without reading the user; TRACE is not safe") {
    for (const char* m : {"GET", "HEAD", "OPTIONS"}) {
        Ctx c;
        c.u = User::anonymous();
        c.m = m;
        CHECK(P("IsAuthenticatedOrReadOnly")->has_permission(c));
        CHECK(c.reads == 0);
    }
    for (const char* m : {"POST", "DELETE", "TRACE"}) {
        Ctx c;
        c.u = User::anonymous();
        c.m = m;
        CHECK_FALSE(P("IsAuthenticatedOrReadOnly")->has_permission(c));
    }
}

TEST_CASE("custom message and code live on the leaf only; composition has none") {
    auto p = make_builtin("IsAdminUser", std::string("Staff only."), std::string("staff_only"));
    CHECK(p->message() == "Staff only.");
    CHECK(p->code() == "staff_only");
    CHECK_FALSE(make_and(p, P("AllowAny"))->message());
    CHECK(make_builtin("NoSuchPermission") == nullptr);
}
