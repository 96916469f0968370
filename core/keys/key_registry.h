// The remote key sets of one engine handle, shared by identity (URL, algorithms, fetch
// settings): two authenticators, two views or two policies across a reload that name the same
// key set share one fetcher, one cache and one unknown-kid cooldown. Sets no policy uses any
// more are freed with the last policy that used them.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/keys/remote_key_set.h"

namespace authpolicy::keys {

class KeyRegistry {
  public:
    explicit KeyRegistry(LogSink log) : log_(std::move(log)) {}

    // The set for these settings: the live one if any, else a new one, started.
    std::shared_ptr<RemoteKeySet> key_set(const KeySetSettings& settings);
    // Every live set (diagnostics and tests).
    std::vector<std::shared_ptr<RemoteKeySet>> live() const;

  private:
    LogSink log_;
    mutable std::mutex mutex_;
    std::map<std::string, std::weak_ptr<RemoteKeySet>> sets_;
};

}  // namespace authpolicy::keys
