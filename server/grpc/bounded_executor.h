// A fixed set of worker threads behind a queue of fixed capacity: decisions may block (a database,
// an introspection call), so they run here instead of on gRPC's own threads, and a full queue is
// refused at once (the caller sheds with 503) instead of growing without bound.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace authpolicy::server::ext_authz {

class BoundedExecutor {
  public:
    BoundedExecutor(std::size_t threads, std::size_t capacity) : capacity_(capacity) {
        workers_.reserve(threads);
        for (std::size_t i = 0; i < threads; ++i) workers_.emplace_back([this] { run(); });
    }
    BoundedExecutor(const BoundedExecutor&) = delete;
    BoundedExecutor& operator=(const BoundedExecutor&) = delete;
    ~BoundedExecutor() { stop(); }

    // False when the queue is full or the executor is stopping: the task was not taken.
    bool try_submit(std::function<void()> task) {
        {
            std::lock_guard<std::mutex> lock(mu_);
            if (stopping_ || queue_.size() >= capacity_) return false;
            queue_.push_back(std::move(task));
        }
        ready_.notify_one();
        return true;
    }

    // Runs what is queued, then joins the workers. Idempotent.
    void stop() {
        {
            std::lock_guard<std::mutex> lock(mu_);
            stopping_ = true;
        }
        ready_.notify_all();
        for (auto& t : workers_) {
            if (t.joinable()) t.join();
        }
    }

  private:
    void run() {
        for (;;) {
            std::function<void()> task;
            {
                std::unique_lock<std::mutex> lock(mu_);
                ready_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
                if (queue_.empty()) return;  // stopping, and nothing left to run
                task = std::move(queue_.front());
                queue_.pop_front();
            }
            task();
        }
    }

    const std::size_t capacity_;
    std::mutex mu_;
    std::condition_variable ready_;
    std::deque<std::function<void()>> queue_;
    bool stopping_ = false;
    std::vector<std::thread> workers_;
};

}  // namespace authpolicy::server::ext_authz
