#include "core/directory/directory.h"

namespace authpolicy::directory {

uint64_t RevocationFeed::subscribe(RevocationSink sink, const std::function<void()>& on_first) {
    bool first = false;
    uint64_t id = 0;
    {
        std::lock_guard lock(mutex_);
        id = next_id_++;
        sinks_.emplace(id, std::move(sink));
        first = !started_;
        started_ = true;
    }
    if (first) on_first();  // outside the lock: a listener thread may publish at once
    return id;
}

void RevocationFeed::unsubscribe(uint64_t id) {
    std::lock_guard lock(mutex_);
    sinks_.erase(id);
}

void RevocationFeed::publish(const Revocation& r) const {
    std::lock_guard lock(mutex_);
    for (const auto& [id, sink] : sinks_) sink(r);
}

}  // namespace authpolicy::directory
