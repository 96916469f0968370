#include "core/engine/live_engine.h"

namespace authpolicy {

LiveEngine::LiveEngine(std::unique_ptr<Engine> first)
    : owned_(std::move(first)), current_(owned_.get()), serial_(owned_->serial()) {}

LiveEngine::~LiveEngine() {
    // Freeing a handle while decisions run on it is the host's error; retired engines may
    // still serve other threads' decisions that began before a reload.
    for (auto& r : retired_) {
        if (!grace::in_read_section()) r.token.wait();
    }
}

void LiveEngine::reload(const std::function<std::unique_ptr<Engine>(const Engine& previous)>& build) {
    std::lock_guard lock(mutex_);
    std::unique_ptr<Engine> next = build(*owned_);  // throws: nothing changed
    current_.store(next.get(), std::memory_order_seq_cst);
    serial_.store(next->serial(), std::memory_order_relaxed);
    Retired old{std::move(owned_), grace::Token::now()};
    owned_ = std::move(next);
    if (!grace::in_read_section()) {
        old.token.wait();  // in-flight decisions finish on the old engine
        old.engine.reset();
    } else {
        retired_.push_back(std::move(old));
    }
    reclaim();
}

void LiveEngine::reclaim() {
    for (auto it = retired_.begin(); it != retired_.end();)
        it = it->token.passed() ? retired_.erase(it) : std::next(it);
}

}  // namespace authpolicy
