// A cluster for the PostgreSQL tests (AUTHP_TEST_PG_URL, from scripts/pg-cluster.sh) and a fresh
// database per test case. A missing cluster fails the run: these tests are never skipped.
#pragma once

#include <doctest/doctest.h>

#include <cstdlib>
#include <memory>
#include <string>

#include "core/crypto/random.h"
#include "core/directory/postgres/pg_connection.h"
#include "core/directory/postgres/pg_options.h"

namespace authp_pg_test {

using authpolicy::directory::postgres::PgConnection;
using authpolicy::directory::postgres::PgOptions;
using authpolicy::directory::postgres::redact_conninfo;
namespace crypto = authpolicy::crypto;

inline std::string env_url(const char* name) {
    const char* v = std::getenv(name);
    return v != nullptr ? v : "";
}

// The cluster's URL; a missing one fails the run: these tests are never skipped silently.
inline std::string base_url() {
    const std::string url = env_url("AUTHP_TEST_PG_URL");
    if (url.empty())
        FAIL("AUTHP_TEST_PG_URL is not set; start a cluster: eval \"$(bash scripts/pg-cluster.sh start /tmp/x)\"");
    return url;
}

// The URL with its database (the path segment) replaced.
inline std::string with_dbname(const std::string& url, const std::string& db) {
    const size_t query = url.find('?');
    const size_t slash = url.rfind('/', query == std::string::npos ? std::string::npos : query);
    REQUIRE(slash != std::string::npos);
    return url.substr(0, slash + 1) + db + (query == std::string::npos ? "" : url.substr(query));
}

// The password part of a postgresql://user:password@… URL.
inline std::string url_password(const std::string& url) {
    const size_t start = url.find("://") + 3;
    const size_t at = url.find('@', start);
    const size_t colon = url.find(':', start);
    if (at == std::string::npos || colon == std::string::npos || colon > at) return "";
    return url.substr(colon + 1, at - colon - 1);
}

inline std::unique_ptr<PgConnection> connect(const std::string& url) {
    return std::make_unique<PgConnection>(url, redact_conninfo(url), 5.0, 30.0, false);
}

// A fresh database for one test case, dropped at the end.
struct TestDb {
    std::string name = "authp_t_" + crypto::random_hex(6);
    std::string url;
    TestDb() {
        const std::string base = base_url();
        connect(base)->exec_script("CREATE DATABASE " + name);
        url = with_dbname(base, name);
    }
    ~TestDb() {
        try {
            connect(base_url())->exec_script("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
        } catch (...) {
        }
    }
    PgOptions options(double statement_timeout = 5.0) const {
        PgOptions o;
        o.conninfo = url;
        o.connect_timeout = 5.0;
        o.statement_timeout = statement_timeout;
        return o;
    }
};

}  // namespace authp_pg_test
