// grpc.health.v1.Health (gRPC's doc/health-checking.md) following the decision service's
// readiness (/readyz): Check answers from ready() at once; Watch streams SERVING / NOT_SERVING
// and a new message whenever readiness changes (polled every 100 ms while anyone watches).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "grpc/health/v1/health.grpc.pb.h"

namespace authpolicy::server::ext_authz {

class HealthService final : public grpc::health::v1::Health::CallbackService {
  public:
    // The services a client may name: "" (the whole server) and these.
    HealthService(std::function<bool()> ready, std::vector<std::string> services, std::size_t max_watchers);
    ~HealthService() override;

    grpc::ServerUnaryReactor* Check(grpc::CallbackServerContext* ctx, const grpc::health::v1::HealthCheckRequest* req,
                                    grpc::health::v1::HealthCheckResponse* resp) override;
    grpc::ServerWriteReactor<grpc::health::v1::HealthCheckResponse>* Watch(
        grpc::CallbackServerContext* ctx, const grpc::health::v1::HealthCheckRequest* req) override;

    // Sends NOT_SERVING to every watcher and ends its stream; later calls answer NOT_SERVING.
    void shutdown();

    class Watcher;

  private:
    bool knows(const std::string& service) const;
    void poll();
    void forget(const Watcher* watcher);

    std::function<bool()> ready_;
    std::vector<std::string> services_;
    const std::size_t max_watchers_;
    std::atomic<bool> shutting_down_{false};

    std::mutex mu_;
    std::condition_variable wake_;
    std::vector<std::shared_ptr<Watcher>> watchers_;
    std::vector<std::shared_ptr<Watcher>> refused_;  // over max_watchers_, ending
    bool stop_poller_ = false;
    std::thread poller_;
};

}  // namespace authpolicy::server::ext_authz
