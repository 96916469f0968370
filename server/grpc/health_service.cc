#include "server/grpc/health_service.h"

#include <algorithm>
#include <chrono>
#include <utility>

namespace authpolicy::server::ext_authz {

using grpc::health::v1::HealthCheckRequest;
using grpc::health::v1::HealthCheckResponse;
using ServingStatus = grpc::health::v1::HealthCheckResponse::ServingStatus;

// One Watch stream. gRPC allows one write at a time: the newest status waits in latest_ while a
// write is under way. gRPC may run a reaction inline from StartWrite/Finish, so neither is called
// with mu_ held.
class HealthService::Watcher final : public grpc::ServerWriteReactor<HealthCheckResponse> {
  public:
    Watcher(HealthService* owner, bool known) : owner_(owner), known_(known) {}

    // Sends the status unless it is the one last sent (or about to be).
    void push(ServingStatus status) {
        if (!known_) status = HealthCheckResponse::SERVICE_UNKNOWN;
        {
            std::lock_guard<std::mutex> lock(mu_);
            if (finish_requested_ || (sent_any_ && status == latest_)) return;
            latest_ = status;
            sent_any_ = true;
            if (writing_) return;  // OnWriteDone sends it
            writing_ = true;
            message_.set_status(status);
        }
        StartWrite(&message_);
    }

    // Ends the stream (after the write under way, if any). Idempotent.
    void end(const grpc::Status& status) {
        {
            std::lock_guard<std::mutex> lock(mu_);
            if (finish_requested_) return;
            finish_requested_ = true;
            final_status_ = status;
            if (writing_) return;  // OnWriteDone finishes
        }
        Finish(status);
    }

    void OnWriteDone(bool ok) override {
        enum class Next { nothing, write, finish } next = Next::nothing;
        grpc::Status final_status;
        {
            std::lock_guard<std::mutex> lock(mu_);
            if (!ok && !finish_requested_) {  // the stream broke: end it
                finish_requested_ = true;
                final_status_ = grpc::Status::CANCELLED;
            }
            if (ok && message_.status() != latest_) {
                // The newest status first, even when the stream is about to end: a shutdown's
                // NOT_SERVING pushed while an earlier write was under way must still reach the client.
                message_.set_status(latest_);
                next = Next::write;
            } else if (finish_requested_) {
                writing_ = false;
                next = Next::finish;
                final_status = final_status_;
            } else {
                writing_ = false;
            }
        }
        if (next == Next::write) StartWrite(&message_);
        if (next == Next::finish) Finish(final_status);
    }

    void OnCancel() override { end(grpc::Status::CANCELLED); }

    void OnDone() override { owner_->forget(this); }  // may destroy *this: nothing after it

  private:
    HealthService* owner_;
    const bool known_;
    std::mutex mu_;
    HealthCheckResponse message_;
    ServingStatus latest_ = HealthCheckResponse::UNKNOWN;
    bool sent_any_ = false;
    bool writing_ = false;
    bool finish_requested_ = false;
    grpc::Status final_status_;
};

HealthService::HealthService(std::function<bool()> ready, std::vector<std::string> services, std::size_t max_watchers)
    : ready_(std::move(ready)), services_(std::move(services)), max_watchers_(max_watchers) {
    poller_ = std::thread([this] { poll(); });
}

HealthService::~HealthService() {
    shutdown();
    {
        std::lock_guard<std::mutex> lock(mu_);
        stop_poller_ = true;
    }
    wake_.notify_all();
    if (poller_.joinable()) poller_.join();
}

bool HealthService::knows(const std::string& service) const {
    return service.empty() || std::find(services_.begin(), services_.end(), service) != services_.end();
}

grpc::ServerUnaryReactor* HealthService::Check(grpc::CallbackServerContext* ctx, const HealthCheckRequest* req,
                                               HealthCheckResponse* resp) {
    auto* reactor = ctx->DefaultReactor();
    if (!knows(req->service())) {
        reactor->Finish(grpc::Status(grpc::StatusCode::NOT_FOUND, "unknown service"));
        return reactor;
    }
    const bool serving = !shutting_down_.load() && ready_();
    resp->set_status(serving ? HealthCheckResponse::SERVING : HealthCheckResponse::NOT_SERVING);
    reactor->Finish(grpc::Status::OK);
    return reactor;
}

grpc::ServerWriteReactor<HealthCheckResponse>* HealthService::Watch(grpc::CallbackServerContext*,
                                                                    const HealthCheckRequest* req) {
    auto watcher = std::make_shared<Watcher>(this, knows(req->service()));
    bool admitted = false;
    {
        std::lock_guard<std::mutex> lock(mu_);
        if (!shutting_down_.load() && watchers_.size() < max_watchers_) {
            watchers_.push_back(watcher);
            admitted = true;
        }
    }
    if (!admitted) {
        // Not in the list: keep it alive until OnDone (forget() then finds nothing to erase).
        auto* raw = watcher.get();
        {
            std::lock_guard<std::mutex> lock(mu_);
            refused_.push_back(std::move(watcher));
        }
        raw->end(grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED, "too many health watchers"));
        return raw;
    }
    wake_.notify_all();
    watcher->push(!shutting_down_.load() && ready_() ? HealthCheckResponse::SERVING : HealthCheckResponse::NOT_SERVING);
    return watcher.get();
}

void HealthService::forget(const Watcher* watcher) {
    std::shared_ptr<Watcher> last;  // destroyed after the lock is released
    std::lock_guard<std::mutex> lock(mu_);
    for (auto* list : {&watchers_, &refused_}) {
        auto it = std::find_if(list->begin(), list->end(), [&](const auto& w) { return w.get() == watcher; });
        if (it != list->end()) {
            last = std::move(*it);
            list->erase(it);
            return;
        }
    }
}

void HealthService::poll() {
    std::unique_lock<std::mutex> lock(mu_);
    while (!stop_poller_) {
        wake_.wait_for(lock, std::chrono::milliseconds(100));
        if (stop_poller_ || watchers_.empty()) continue;
        auto watchers = watchers_;  // the copies keep each alive while it is pushed to
        lock.unlock();
        const auto status =
            !shutting_down_.load() && ready_() ? HealthCheckResponse::SERVING : HealthCheckResponse::NOT_SERVING;
        for (const auto& w : watchers) w->push(status);
        watchers.clear();
        lock.lock();
    }
}

void HealthService::shutdown() {
    shutting_down_.store(true);
    std::vector<std::shared_ptr<Watcher>> watchers;
    {
        std::lock_guard<std::mutex> lock(mu_);
        watchers = watchers_;
    }
    for (const auto& w : watchers) {
        w->push(HealthCheckResponse::NOT_SERVING);
        w->end(grpc::Status(grpc::StatusCode::UNAVAILABLE, "the server is shutting down"));
    }
}

}  // namespace authpolicy::server::ext_authz
