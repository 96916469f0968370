#include "core/keys/key_registry.h"

namespace authpolicy::keys {

std::shared_ptr<RemoteKeySet> KeyRegistry::key_set(const KeySetSettings& settings) {
    const std::string id = settings.identity();
    std::lock_guard lock(mutex_);
    if (auto it = sets_.find(id); it != sets_.end()) {
        if (auto live = it->second.lock()) return live;
    }
    auto set = std::make_shared<RemoteKeySet>(settings, log_);
    set->start();  // the first fetch, bounded by the timeouts
    sets_[id] = set;
    for (auto it = sets_.begin(); it != sets_.end();) it = it->second.expired() ? sets_.erase(it) : std::next(it);
    return set;
}

std::vector<std::shared_ptr<RemoteKeySet>> KeyRegistry::live() const {
    std::lock_guard lock(mutex_);
    std::vector<std::shared_ptr<RemoteKeySet>> out;
    for (const auto& [id, weak] : sets_) {
        if (auto s = weak.lock()) out.push_back(std::move(s));
    }
    return out;
}

}  // namespace authpolicy::keys
