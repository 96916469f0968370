#include "core/http/request.h"

#include <doctest/doctest.h>

using authpolicy::http::Limits;
using authpolicy::http::Request;

TEST_CASE("header names are case-insensitive and repeats are joined with ', '") {
    Request r;
    r.add_header("Authorization", "Token a");
    r.add_header("AUTHORIZATION", "Token b");
    REQUIRE(r.header("authorization") != nullptr);
    CHECK(*r.header("authorization") == "Token a, Token b");
    CHECK(*r.find_header("AuThOrIzAtIoN") == "Token a, Token b");
    CHECK(r.header("cookie") == nullptr);
}

TEST_CASE("values keep NUL bytes: lengths, not terminators") {
    Request r;
    r.add_header("Authorization", std::string_view("Token a\0b", 9));
    CHECK(r.header("authorization")->size() == 9);
}

TEST_CASE("inputs over the caps mark the request oversize without storing them") {
    Request r;
    r.add_header("X", std::string(Limits::kMaxHeaderValue + 1, 'a'));
    CHECK(r.header("x") == nullptr);
    CHECK(r.oversize() == "Request header exceeds 8192 bytes.");
    Request many;
    for (size_t i = 0; i <= Limits::kMaxHeaders; ++i) many.add_header("h" + std::to_string(i), "v");
    CHECK(many.oversize() == "Request has more than 100 headers.");
    Request path;
    path.set_path(std::string(Limits::kMaxField + 1, '/'));
    CHECK(path.oversize() == "Request path exceeds 8192 bytes.");
}

TEST_CASE("reset clears fields but keeps the host handle") {
    Request r;
    int marker = 0;
    r.set_host_handle(&marker);
    r.set_method("POST");
    r.add_header("A", "b");
    r.reset();
    CHECK(r.method() == "GET");
    CHECK(r.header("a") == nullptr);
    CHECK(r.host_handle() == &marker);
}

TEST_CASE("repeats do not count toward the header cap, and each cap names itself") {
    Request r;
    for (size_t i = 0; i < Limits::kMaxHeaders; ++i) r.add_header("h" + std::to_string(i), "v");
    r.add_header("h7", "again");
    CHECK(r.oversize().empty());
    CHECK(*r.header("h7") == "v, again");
    Request name;
    name.add_header(std::string(Limits::kMaxHeaderName + 1, 'n'), "v");
    CHECK(name.oversize() == "Request header name exceeds 256 bytes.");
}

TEST_CASE("methods are uppercased as Django does, so 'get' is safe") {
    Request r;
    r.set_method("get");
    CHECK(r.method() == "GET");
}
