#include "server/http_server.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <atomic>
#include <iostream>
#include <optional>
#include <thread>
#include <unordered_set>
#include <vector>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "server/forward_auth.h"
#include "server/route_table.h"

// Envoy's HTTP ext_authz mode lives in server/ext_authz/http_mode.h (the Envoy front end's own
// code); a build without that front end answers paths under ext_authz_path_prefix with the 404 of
// any unknown path.
#if defined(AUTHP_SERVER_EXT_AUTHZ)
#include "server/ext_authz/http_mode.h"
#endif

namespace authpolicy::server {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
// Streams bound to the concrete io_context executor: no type-erased executor on every operation.
using Executor = asio::io_context::executor_type;
using Socket = asio::basic_stream_socket<tcp, Executor>;
using Stream = beast::basic_stream<tcp, Executor, beast::unlimited_rate_policy>;
using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

constexpr std::chrono::milliseconds kLagTick{10};
constexpr std::size_t kFirstRead = 2048;  // most forwarded requests fit in one read of this size

std::string endpoint_text(const tcp::endpoint& ep) {
    const asio::ip::address a = ep.address();
    const std::string host = a.is_v6() ? "[" + a.to_string() + "]" : a.to_string();
    return host + ":" + std::to_string(ep.port());
}

std::string peer_ip(const Socket& s) {
    beast::error_code ec;
    const tcp::endpoint ep = s.remote_endpoint(ec);
    if (ec) return {};
    asio::ip::address a = ep.address();
    if (a.is_v6() && a.to_v6().is_v4_mapped()) a = asio::ip::make_address_v4(asio::ip::v4_mapped, a.to_v6());
    return a.to_string();
}

std::string json_detail(std::string_view detail) {
    std::string out = "{\"detail\":\"";
    for (const char c : detail) {  // our own fixed ASCII texts: only quotes need escaping
        if (c == '"' || c == '\\') out.push_back('\\');
        out.push_back(c);
    }
    return out + "\"}";
}

}  // namespace

struct HttpServer::Impl {
    class Session;

    // One I/O thread: its io_context, the lag probe that tells it is over capacity, and the
    // sessions it owns (touched only on this thread). `sessions` is declared before `ioc` so that
    // handlers destroyed with the io_context can still unregister.
    struct Worker {
        std::unordered_set<Session*> sessions;
        asio::io_context ioc{1};
        asio::steady_timer tick{ioc};
        // Over capacity: the last tick came more than shed_lag late AND this thread spent most of
        // that interval deciding. The second half tells our own backlog from a machine that merely
        // descheduled us (other processes), which must not make us refuse work.
        bool overloaded = false;
        std::int64_t deciding_ns = 0;  // time in decide() since the last tick
        std::chrono::steady_clock::time_point last_tick = std::chrono::steady_clock::now();
        std::thread thread;
    };

    struct Listener {
        tcp::acceptor acceptor;
        Role role;
        Worker& worker;
        asio::steady_timer backoff;
        Listener(Worker& w, Role r) : acceptor(w.ioc), role(r), worker(w), backoff(w.ioc) {}
    };

    Impl(const ServeSettings& s, Decider& d, Metrics& m, bool ops_on_main)
        : settings(s), decider(d), metrics(m), ops_on_main_listener(ops_on_main) {
        unsigned n = settings.threads != 0 ? settings.threads : std::max(1u, std::thread::hardware_concurrency());
        for (unsigned i = 0; i < n; ++i) workers.push_back(std::make_unique<Worker>());
    }

    void accept(Listener& l);
    void refuse(Socket& s);
    void schedule_tick(Worker& w);
    static bool over_capacity(const Worker& w) { return w.overloaded; }
    // Decides on this I/O thread and counts the time for the overload probe.
    static ForwardedAnswer timed_decide(Worker& w, Decider& d, const ForwardedRequest& r) {
        const auto started = std::chrono::steady_clock::now();
        ForwardedAnswer a = d.decide(r);
        w.deciding_ns +=
            std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - started).count();
        return a;
    }

    const ServeSettings settings;
    Decider& decider;
    Metrics& metrics;
    const bool ops_on_main_listener;
    std::vector<std::unique_ptr<Worker>> workers;
    std::vector<std::unique_ptr<Listener>> listeners;
    std::atomic<std::size_t> next_worker{0};
    std::atomic<std::size_t> open{0};
    std::atomic<bool> stopping{false};
    bool started = false;
};

// One connection: wait (idle_timeout) for the first byte of a request, read it whole within
// request_timeout under the parser's caps, answer, and go round again while keep-alive holds.
class HttpServer::Impl::Session : public std::enable_shared_from_this<Session> {
  public:
    Session(Impl& server, Worker& worker, Socket socket, Role role)
        : server_(server),
          worker_(worker),
          stream_(std::move(socket)),
          role_(role),
          buffer_(server.settings.header_limit + server.settings.body_limit + kFirstRead) {}

    ~Session() {
        worker_.sessions.erase(this);
        server_.metrics.connection_closed();
        server_.open.fetch_sub(1, std::memory_order_acq_rel);
    }

    void start() {
        worker_.sessions.insert(this);
        server_.metrics.connection_opened();
        beast::error_code ec;
        stream_.socket().set_option(tcp::no_delay(true), ec);
        remote_ = peer_ip(stream_.socket());
        wait_for_request();
    }

    // Draining: an idle keep-alive connection is closed now; one in a request finishes it first.
    void close_if_idle() {
        if (idle_) stream_.cancel();
    }

  private:
    void wait_for_request() {
        if (buffer_.size() > 0) return read_request();  // a pipelined request is already here
        if (server_.stopping.load(std::memory_order_relaxed)) return close();
        // An idle connection keeps a small buffer, whatever its last request needed.
        if (buffer_.capacity() > 4 * kFirstRead) buffer_.shrink_to_fit();
        idle_ = true;
        stream_.expires_after(server_.settings.idle_timeout);
        stream_.async_read_some(buffer_.prepare(kFirstRead),
                                [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                                    self->idle_ = false;
                                    if (ec) return self->close();
                                    self->buffer_.commit(n);
                                    self->read_request();
                                });
    }

    void read_request() {
        parser_.emplace();
        parser_->header_limit(static_cast<std::uint32_t>(server_.settings.header_limit));
        parser_->body_limit(server_.settings.body_limit);
        stream_.expires_after(server_.settings.request_timeout);
        http::async_read(stream_, buffer_, *parser_,
                         [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_request(ec); });
    }

    void on_request(beast::error_code ec) {
        if (ec == http::error::header_limit)
            return reject(http::status::request_header_fields_too_large, "Request header fields too large.");
        if (ec == http::error::body_limit) return reject(http::status::payload_too_large, "Request body too large.");
        if (ec && ec.category() == http::make_error_code(http::error::bad_method).category() &&
            ec != http::error::end_of_stream && ec != http::error::partial_message)
            return reject(http::status::bad_request, "Malformed HTTP request.");
        if (ec) return close();  // timeout (slowloris), peer gone, cancelled by drain
        stream_.expires_never();
        Request req = parser_->release();
        respond(req);
    }

    void respond(const Request& req) {
        res_ = {};
        res_.version(11);
        const std::string_view target(req.target().data(), req.target().size());
        const std::string_view path = strip_query(target);
        const bool ops = role_ == Role::kOps || server_.ops_on_main_listener;
        const std::string& prefix = server_.settings.ext_authz_path_prefix;
        if (role_ == Role::kAll && path == "/auth") {
            forward_auth(req);
        } else if (role_ == Role::kAll && path.substr(0, prefix.size()) == prefix &&
                   (path.size() == prefix.size() || path[prefix.size()] == '/')) {
            ext_authz(req, target);
        } else if (ops && path == "/healthz") {
            plain(http::status::ok, "application/json", "{\"status\":\"ok\"}");
        } else if (ops && path == "/readyz") {
            const bool ready = server_.decider.ready();
            plain(ready ? http::status::ok : http::status::service_unavailable, "application/json",
                  ready ? "{\"status\":\"ready\"}" : "{\"status\":\"not ready\"}");
        } else if (ops && path == "/metrics") {
            plain(http::status::ok, "text/plain; version=0.0.4; charset=utf-8", server_.metrics.render());
        } else {
            plain(http::status::not_found, "application/json", json_detail("Not found."));
        }
        if (req.method() == http::verb::head) {
            // nginx sends the original method to /auth (a HEAD stays a HEAD): the headers say the
            // length, no body follows (RFC 9110 §9.3.2), or the connection would go out of step.
            const std::size_t n = res_.body().size();
            res_.body().clear();
            res_.content_length(n);
        }
        res_.keep_alive(req.keep_alive() && !server_.stopping.load(std::memory_order_relaxed));
        write();
    }

    static HeaderList header_list(const Request& req) {
        HeaderList headers;
        headers.reserve(16);
        for (const auto& f : req)
            headers.emplace_back(std::string(f.name_string().data(), f.name_string().size()),
                                 std::string(f.value().data(), f.value().size()));
        return headers;
    }

    void forward_auth(const Request& req) {
        if (Impl::over_capacity(worker_)) return answer(server_.decider.shed("forward_auth"));
        std::string error;
        const std::optional<ForwardedRequest> fr =
            forward_auth_request(std::string_view(req.method_string().data(), req.method_string().size()),
                                 header_list(req), remote_, &error);
        if (!fr) {
            server_.metrics.record_bad_request();
            return plain(http::status::bad_request, "application/json", json_detail(error));
        }
        answer(Impl::timed_decide(worker_, server_.decider, *fr));
    }

    void ext_authz(const Request& req, std::string_view target) {
#if defined(AUTHP_SERVER_EXT_AUTHZ)
        if (Impl::over_capacity(worker_)) return answer(server_.decider.shed("ext_authz_http"));
        const std::optional<ForwardedRequest> fr =
            ext_authz_http_request(std::string_view(req.method_string().data(), req.method_string().size()), target,
                                   header_list(req), remote_, server_.settings.ext_authz_path_prefix);
        if (!fr) {
            server_.metrics.record_bad_request();
            return plain(http::status::bad_request, "application/json", json_detail("Malformed ext_authz request."));
        }
        ForwardedAnswer a = Impl::timed_decide(worker_, server_.decider, *fr);
        // Envoy drops an empty upstream header instead of overwriting the client's copy, so an
        // anonymous allow names its empty identity headers for removal (Envoy's HTTP ext_authz
        // honours x-envoy-auth-headers-to-remove on an OK answer).
        if (a.allowed) {
            std::string to_remove;
            for (const auto& [name, value] : a.headers) {
                if (!value.empty()) continue;
                if (!to_remove.empty()) to_remove += ", ";
                to_remove += name;
            }
            if (!to_remove.empty()) a.headers.emplace_back("x-envoy-auth-headers-to-remove", std::move(to_remove));
        }
        answer(a);
#else
        // Built without the Envoy front end (see the include above): the prefix is an unknown path.
        (void)req;
        (void)target;
        plain(http::status::not_found, "application/json", json_detail("Not found."));
#endif
    }

    void answer(const ForwardedAnswer& a) {
        res_.result(static_cast<unsigned>(a.status));
        for (const auto& [name, value] : a.headers) res_.insert(name, value);
        res_.body() = a.body;
        res_.prepare_payload();
    }

    void plain(http::status status, std::string_view content_type, std::string body) {
        res_.result(status);
        res_.set(http::field::content_type, content_type);
        res_.body() = std::move(body);
        res_.prepare_payload();
    }

    void write() {
        http::async_write(stream_, res_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
            if (ec || !self->res_.keep_alive()) return self->close();
            self->wait_for_request();
        });
    }

    // A request we will not read to its end: answer and close (the parser's state is lost).
    void reject(http::status status, std::string_view detail) {
        server_.metrics.record_bad_request();
        res_ = {};
        res_.version(11);
        plain(status, "application/json", json_detail(detail));
        res_.keep_alive(false);
        stream_.expires_after(server_.settings.request_timeout);
        write();
    }

    void close() {
        beast::error_code ec;
        stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
        stream_.socket().close(ec);
    }

    Impl& server_;
    Worker& worker_;
    Stream stream_;
    const Role role_;
    beast::flat_buffer buffer_;
    std::optional<http::request_parser<http::string_body>> parser_;
    Response res_;
    std::string remote_;
    bool idle_ = false;
};

void HttpServer::Impl::refuse(Socket& s) {
    // Over max_connections: a canned 503 without reading the request, then close. Non-blocking:
    // a peer that does not read loses the answer, never an I/O thread.
    static const std::string body = json_detail("Too many connections; retry later.");
    static const std::string reply =
        "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n"
        "Retry-After: 1\r\nConnection: close\r\nContent-Length: " +
        std::to_string(body.size()) + "\r\n\r\n" + body;
    const ssize_t n = ::send(s.native_handle(), reply.data(), reply.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
    (void)n;
    beast::error_code ec;
    s.shutdown(tcp::socket::shutdown_send, ec);
    s.close(ec);
}

void HttpServer::Impl::accept(Listener& l) {
    Worker& w = *workers[next_worker.fetch_add(1, std::memory_order_relaxed) % workers.size()];
    l.acceptor.async_accept(w.ioc.get_executor(), [this, &l, &w](beast::error_code ec, Socket s) {
        if (ec == asio::error::operation_aborted || !l.acceptor.is_open()) return;
        if (ec) {
            // Out of descriptors (EMFILE) or memory: back off instead of spinning on accept.
            std::cerr << "authpolicy serve: accept failed: " << ec.message() << std::endl;
            l.backoff.expires_after(std::chrono::milliseconds(50));
            l.backoff.async_wait([this, &l](beast::error_code e) {
                if (!e) accept(l);
            });
            return;
        }
        if (open.fetch_add(1, std::memory_order_acq_rel) >= settings.max_connections) {
            open.fetch_sub(1, std::memory_order_acq_rel);
            metrics.record_connection_refused();
            refuse(s);
        } else {
            asio::post(w.ioc, [this, &w, role = l.role, sock = std::move(s)]() mutable {
                std::make_shared<Session>(*this, w, std::move(sock), role)->start();
            });
        }
        accept(l);
    });
}

void HttpServer::Impl::schedule_tick(Worker& w) {
    const auto due = std::chrono::steady_clock::now() + kLagTick;
    w.tick.expires_at(due);
    w.tick.async_wait([this, &w, due](beast::error_code ec) {
        if (ec) return;
        const auto now = std::chrono::steady_clock::now();
        const auto interval = std::chrono::duration_cast<std::chrono::nanoseconds>(now - w.last_tick).count();
        w.overloaded = now - due > settings.shed_lag && w.deciding_ns * 2 > interval;
        w.deciding_ns = 0;
        w.last_tick = now;
        schedule_tick(w);
    });
}

HttpServer::HttpServer(const ServeSettings& settings, Decider& decider, Metrics& metrics, bool ops_on_main_listener)
    : impl_(std::make_unique<Impl>(settings, decider, metrics, ops_on_main_listener)) {}

HttpServer::~HttpServer() {
    stop();
}

std::string HttpServer::listen(const std::string& address, Role role) {
    const HostPort hp = parse_host_port(address, address);
    Impl::Worker& w = *impl_->workers[impl_->listeners.size() % impl_->workers.size()];
    auto l = std::make_unique<Impl::Listener>(w, role);
    try {
        tcp::resolver resolver(w.ioc);
        const auto results = resolver.resolve(hp.host, std::to_string(hp.port), tcp::resolver::numeric_service);
        const tcp::endpoint ep = results.begin()->endpoint();
        l->acceptor.open(ep.protocol());
        l->acceptor.set_option(asio::socket_base::reuse_address(true));
        l->acceptor.bind(ep);
        l->acceptor.listen(asio::socket_base::max_listen_connections);
    } catch (const std::exception& e) {
        throw std::runtime_error("cannot listen on " + address + ": " + e.what());
    }
    const std::string bound = endpoint_text(l->acceptor.local_endpoint());
    impl_->listeners.push_back(std::move(l));
    return bound;
}

void HttpServer::start() {
    if (impl_->started) return;
    impl_->started = true;
    for (auto& l : impl_->listeners) impl_->accept(*l);
    for (auto& w : impl_->workers) {
        impl_->schedule_tick(*w);  // also keeps run() from returning while idle
        w->thread = std::thread([&ioc = w->ioc] {
            for (;;) {
                try {
                    ioc.run();
                    return;
                } catch (const std::exception& e) {  // a handler threw: log it, keep serving
                    std::cerr << "authpolicy serve: I/O thread: " << e.what() << std::endl;
                }
            }
        });
    }
}

bool HttpServer::drain(std::chrono::milliseconds timeout) {
    impl_->stopping.store(true);
    for (auto& l : impl_->listeners)
        asio::post(l->worker.ioc, [&l] {
            beast::error_code ec;
            l->acceptor.close(ec);
            l->backoff.cancel();
        });
    for (auto& w : impl_->workers)
        asio::post(w->ioc, [&w] {
            for (Impl::Session* s : w->sessions) s->close_if_idle();
        });
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (impl_->open.load() > 0 && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    return impl_->open.load() == 0;
}

void HttpServer::stop() {
    if (!impl_) return;
    for (auto& w : impl_->workers) w->ioc.stop();
    for (auto& w : impl_->workers)
        if (w->thread.joinable()) w->thread.join();
    impl_->listeners.clear();
    impl_->workers.clear();  // destroys pending handlers and their sessions while Impl is alive
}

}  // namespace authpolicy::server
