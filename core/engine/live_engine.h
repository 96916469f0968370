// The engine behind one authp_engine handle: the current immutable Engine, replaced whole by
// a reload. A reload builds the new Engine completely (a failure changes nothing), publishes it
// with one atomic store, then frees the old one once the decisions that were using it have
// finished (grace.h). Decisions pin the current engine inside a grace::ReadSection: a store to
// their own thread's slot and a load, no shared reference count and no lock, so the warm path
// gains no contended write (the previous round took the engine's refcount off requests for
// this reason).
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "core/common/grace.h"
#include "core/engine/engine.h"

namespace authpolicy {

class LiveEngine {
  public:
    explicit LiveEngine(std::unique_ptr<Engine> first);
    ~LiveEngine();  // waits for decisions still on a retired engine, then frees every engine
    LiveEngine(const LiveEngine&) = delete;
    LiveEngine& operator=(const LiveEngine&) = delete;

    // Call inside a grace::ReadSection; the engine stays valid until the section ends.
    Engine& current() const { return *current_.load(std::memory_order_seq_cst); }
    // The current engine's serial, readable outside a read section (a hint: it may be stale).
    uint64_t serial() const { return serial_.load(std::memory_order_relaxed); }

    // build(previous) makes the next engine; if it throws, the current one keeps serving and
    // the error propagates. Reloads are serialised. Called from inside a read section (a
    // callback), the old engine is freed by a later reload or by the destructor.
    void reload(const std::function<std::unique_ptr<Engine>(const Engine& previous)>& build);

  private:
    void reclaim();

    std::mutex mutex_;  // reloads
    std::unique_ptr<Engine> owned_;
    std::atomic<Engine*> current_;
    std::atomic<uint64_t> serial_;
    struct Retired {
        std::unique_ptr<Engine> engine;
        grace::Token token;
    };
    std::vector<Retired> retired_;
};

}  // namespace authpolicy
