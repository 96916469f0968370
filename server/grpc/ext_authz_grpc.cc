#include "server/grpc/ext_authz_grpc.h"

#include <grpcpp/grpcpp.h>
#include <grpcpp/resource_quota.h>

#include <atomic>
#include <mutex>
#include <stdexcept>
#include <utility>

#include "envoy/service/auth/v3/external_auth.grpc.pb.h"
#include "server/grpc/bounded_executor.h"
#include "server/grpc/check_translation.h"
#include "server/grpc/health_service.h"

namespace authpolicy::server {
namespace {

using envoy::service::auth::v3::CheckRequest;
using envoy::service::auth::v3::CheckResponse;

class AuthorizationService final : public envoy::service::auth::v3::Authorization::CallbackService {
  public:
    AuthorizationService(DecisionHooks& hooks, ext_authz::BoundedExecutor& executor, std::size_t inline_limit)
        : hooks_(hooks), executor_(executor), inline_limit_(inline_limit) {}

    grpc::ServerUnaryReactor* Check(grpc::CallbackServerContext* ctx, const CheckRequest* req,
                                    CheckResponse* resp) override {
        auto* reactor = ctx->DefaultReactor();
        auto forwarded = ext_authz::forwarded_request_from_check(*req, nullptr);
        if (!forwarded) {
            malformed_.fetch_add(1, std::memory_order_relaxed);
            if (hooks_.bad_request) hooks_.bad_request();
            ext_authz::check_response_malformed(resp);
            reactor->Finish(grpc::Status::OK);
            return reactor;
        }
        if (inline_limit_ > 0) {  // workers == 0: decide on gRPC's thread, at most inline_limit_ at once
            if (inline_in_flight_.fetch_add(1) >= inline_limit_) {
                inline_in_flight_.fetch_sub(1);
                count_shed();
                ext_authz::check_response_overloaded(resp);
            } else {
                ext_authz::check_response_from_answer(decide(*forwarded), resp);
                inline_in_flight_.fetch_sub(1);
            }
            reactor->Finish(grpc::Status::OK);
            return reactor;
        }
        const bool taken = executor_.try_submit([this, ctx, resp, reactor, request = std::move(*forwarded)] {
            if (ctx->IsCancelled()) {  // Envoy gave up (its timeout): do not decide for nobody
                reactor->Finish(grpc::Status::CANCELLED);
                return;
            }
            ext_authz::check_response_from_answer(decide(request), resp);
            reactor->Finish(grpc::Status::OK);
        });
        if (!taken) {
            count_shed();
            ext_authz::check_response_overloaded(resp);
            reactor->Finish(grpc::Status::OK);
        }
        return reactor;
    }

    std::uint64_t shed() const { return shed_.load(std::memory_order_relaxed); }
    std::uint64_t malformed() const { return malformed_.load(std::memory_order_relaxed); }

  private:
    void count_shed() {
        shed_.fetch_add(1, std::memory_order_relaxed);
        if (hooks_.shed) hooks_.shed("ext_authz_grpc");
    }

    // decide() is documented never to throw; a throw still becomes the safe 503, never an allow.
    ForwardedAnswer decide(const ForwardedRequest& request) {
        try {
            return hooks_.decide(request);
        } catch (...) {
            ForwardedAnswer safe;
            safe.status = 503;
            safe.allowed = false;
            safe.code = "service_unavailable";
            safe.body = R"({"detail":"Authentication is temporarily unavailable."})";
            return safe;
        }
    }

    DecisionHooks& hooks_;
    ext_authz::BoundedExecutor& executor_;
    const std::size_t inline_limit_;
    std::atomic<std::size_t> inline_in_flight_{0};
    std::atomic<std::uint64_t> shed_{0};
    std::atomic<std::uint64_t> malformed_{0};
};

bool ready_or_false(const DecisionHooks& hooks) {
    try {
        return hooks.ready && hooks.ready();
    } catch (...) {
        return false;
    }
}

}  // namespace

struct ExtAuthzGrpcServer::Impl {
    Impl(DecisionHooks h, const Limits& limits)
        : hooks(std::move(h)),
          executor(limits.workers, limits.queue),
          authorization(hooks, executor, limits.workers == 0 ? limits.queue : 0),
          health([this] { return ready_or_false(hooks); }, {"envoy.service.auth.v3.Authorization"},
                 limits.max_health_watchers) {}

    DecisionHooks hooks;
    ext_authz::BoundedExecutor executor;
    AuthorizationService authorization;
    ext_authz::HealthService health;
    std::unique_ptr<grpc::Server> server;
    std::string bound;
    std::once_flag stopped;
};

ExtAuthzGrpcServer::ExtAuthzGrpcServer(DecisionHooks hooks, const std::string& addr)
    : ExtAuthzGrpcServer(std::move(hooks), addr, Limits{}) {}

ExtAuthzGrpcServer::ExtAuthzGrpcServer(DecisionHooks hooks, const std::string& addr, const Limits& limits) {
    const auto colon = addr.rfind(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == addr.size()) {
        throw std::runtime_error("expected host:port, got '" + addr + "'");
    }
    if (!hooks.decide) throw std::runtime_error("ExtAuthzGrpcServer: no decide hook");
    impl_ = std::make_unique<Impl>(std::move(hooks), limits);

    grpc::ServerBuilder builder;
    int port = 0;
    builder.AddListeningPort(addr, grpc::InsecureServerCredentials(), &port);
    builder.RegisterService(&impl_->authorization);
    builder.RegisterService(&impl_->health);
    builder.SetMaxReceiveMessageSize(limits.max_message_bytes);
    builder.SetMaxSendMessageSize(limits.max_message_bytes);
    builder.AddChannelArgument(GRPC_ARG_MAX_CONCURRENT_STREAMS, limits.max_concurrent_streams);
    builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);                   // a port in use is an error, not shared
    builder.AddChannelArgument(GRPC_ARG_SERVER_HANDSHAKE_TIMEOUT_MS, 10'000);  // idle half-open peers
    builder.AddChannelArgument(GRPC_ARG_MAX_METADATA_SIZE, 16 * 1024);
    grpc::ResourceQuota quota("authpolicy-ext-authz");
    quota.Resize(std::size_t{256} << 20);  // memory for all connections; past it gRPC refuses work
    builder.SetResourceQuota(quota);
    impl_->server = builder.BuildAndStart();
    if (!impl_->server || port == 0) {
        impl_->server.reset();
        impl_->executor.stop();
        throw std::runtime_error("cannot listen on " + addr + " (address in use, or not an address of this host)");
    }
    impl_->bound = addr.substr(0, colon) + ":" + std::to_string(port);
}

ExtAuthzGrpcServer::~ExtAuthzGrpcServer() {
    if (impl_) shutdown(std::chrono::seconds(5));
}

std::string ExtAuthzGrpcServer::bound_address() const {
    return impl_->bound;
}

void ExtAuthzGrpcServer::shutdown(std::chrono::milliseconds grace) {
    std::call_once(impl_->stopped, [&] {
        impl_->health.shutdown();  // Watch streams would otherwise hold the shutdown to its deadline
        // Workers keep running during Shutdown: the Checks in flight need them to finish.
        impl_->server->Shutdown(std::chrono::system_clock::now() + grace);
        impl_->server->Wait();
        impl_->executor.stop();
    });
}

std::uint64_t ExtAuthzGrpcServer::shed_count() const {
    return impl_->authorization.shed();
}
std::uint64_t ExtAuthzGrpcServer::malformed_count() const {
    return impl_->authorization.malformed();
}

}  // namespace authpolicy::server
