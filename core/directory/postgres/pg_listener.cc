#include "core/directory/postgres/pg_listener.h"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <memory>

#include "core/common/error.h"
#include "core/directory/postgres/pg_connection.h"

namespace authpolicy::directory::postgres {
namespace {

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

}  // namespace

std::optional<Revocation> decode_revocation(std::string_view payload) {
    if (payload.size() < 3 || payload[1] != ':') return std::nullopt;
    const std::string_view body = payload.substr(2);
    Revocation r;
    switch (payload[0]) {
        case 't': r.kind = Revocation::Kind::Token; break;
        case 'o': r.kind = Revocation::Kind::OAuthToken; break;
        case 's': r.kind = Revocation::Kind::Session; break;
        case 'u': {
            r.kind = Revocation::Kind::User;
            const auto [end, ec] = std::from_chars(body.data(), body.data() + body.size(), r.user_id);
            if (ec != std::errc() || end != body.data() + body.size() || r.user_id <= 0) return std::nullopt;
            return r;
        }
        default: return std::nullopt;
    }
    if (body.size() != r.digest.size() * 2) return std::nullopt;
    for (size_t i = 0; i < r.digest.size(); ++i) {
        const int hi = hex_value(body[2 * i]);
        const int lo = hex_value(body[2 * i + 1]);
        if (hi < 0 || lo < 0) return std::nullopt;
        r.digest[i] = static_cast<uint8_t>(hi << 4 | lo);
    }
    return r;
}

PgListener::PgListener(std::string conninfo, std::string target, double connect_timeout, double statement_timeout,
                       RevocationSink sink)
    : conninfo_(std::move(conninfo)),
      target_(std::move(target)),
      connect_timeout_(connect_timeout),
      statement_timeout_(statement_timeout),
      sink_(std::move(sink)) {
    if (::pipe2(wake_, O_CLOEXEC | O_NONBLOCK) != 0)
        throw Error(ErrorCode::Store, std::string("PostgreSQL listener: pipe: ") + std::strerror(errno));
    thread_ = std::thread([this] { run(); });
}

PgListener::~PgListener() {
    stop_.store(true);
    const char byte = 1;
    [[maybe_unused]] const ssize_t n = ::write(wake_[1], &byte, 1);
    thread_.join();
    ::close(wake_[0]);
    ::close(wake_[1]);
}

void PgListener::deliver(const Revocation& r) {
    try {
        sink_(r);
    } catch (...) {
        // The sink's failure is its own; the listener must keep listening.
    }
}

bool PgListener::pause(int ms) {
    pollfd p{wake_[0], POLLIN, 0};
    ::poll(&p, 1, ms);
    return !stop_.load();
}

void PgListener::run() {
    int backoff_ms = 100;
    bool down_reported = false;
    // Engines cache from the moment they subscribe, before LISTEN is in force: a revocation
    // committed in between would be missed for CACHE.TTL. The first LISTEN drops them too.
    bool first_listen = true;
    const Revocation everything{Revocation::Kind::Everything, {}, 0};
    while (!stop_.load()) {
        std::unique_ptr<PgConnection> conn;
        try {
            conn = std::make_unique<PgConnection>(conninfo_, target_, connect_timeout_, statement_timeout_, false);
            conn->exec_script(std::string("LISTEN ") + kRevocationChannel);
        } catch (const Error&) {
            conn.reset();
            if (!down_reported) {
                live_.store(false, std::memory_order_release);
                deliver(everything);
                down_reported = true;
            }
            if (!pause(backoff_ms)) break;
            backoff_ms = std::min(backoff_ms * 2, 2000);
            continue;
        }
        backoff_ms = 100;
        backend_pid_.store(conn->backend_pid());
        // LISTEN is in force before caches are dropped: nothing after this point is missed.
        if (down_reported || first_listen) {
            deliver(everything);
            down_reported = false;
            first_listen = false;
        }
        live_.store(true, std::memory_order_release);

        PGconn* pg = conn->handle();
        bool lost = false;
        while (!stop_.load() && !lost) {
            pollfd p[2] = {{PQsocket(pg), POLLIN, 0}, {wake_[0], POLLIN, 0}};
            const int ready = ::poll(p, 2, 1000);
            if (ready < 0 && errno != EINTR) lost = true;
            if (ready <= 0 || (p[0].revents == 0)) continue;
            if (PQconsumeInput(pg) == 0 || PQstatus(pg) == CONNECTION_BAD) lost = true;
            while (PGnotify* n = PQnotifies(pg)) {
                const std::optional<Revocation> r =
                    std::strcmp(n->relname, kRevocationChannel) == 0 ? decode_revocation(n->extra) : std::nullopt;
                PQfreemem(n);
                if (r) {
                    deliver(*r);
                    ++delivered_;
                } else {
                    ++malformed_;
                }
            }
        }
        backend_pid_.store(0);
        if (lost) {
            live_.store(false, std::memory_order_release);
            deliver(everything);
            down_reported = true;
        }
    }
    live_.store(false, std::memory_order_release);
}

}  // namespace authpolicy::directory::postgres
