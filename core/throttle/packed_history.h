// A throttle history (doubles) packed into bytes: how the SQLite and PostgreSQL throttle
// stores keep it in one column (same machine, same layout: the bytes never travel), and DRF's
// sliding-log step both of them run on it inside their transaction.
#pragma once

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "core/throttle/throttle_store.h"

namespace authpolicy::throttle {

inline std::vector<double> unpack_history(const std::string& blob) {
    std::vector<double> out(blob.size() / sizeof(double));
    if (!out.empty()) std::memcpy(out.data(), blob.data(), out.size() * sizeof(double));
    return out;
}

inline std::string pack_history(const std::vector<double>& v) {
    return std::string(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(double));
}

// DRF's SimpleRateThrottle.allow_request on a history, oldest first: entries at or before
// now - duration are dropped; when fewer than num_requests remain, `now` is appended (admitted).
inline SlidingLogResult slide(std::vector<double>& history, double now, long num_requests, double duration) {
    auto keep = std::find_if(history.begin(), history.end(), [&](double t) { return !(t <= now - duration); });
    history.erase(history.begin(), keep);
    SlidingLogResult r;
    r.history_length = history.size();
    if (!history.empty()) r.oldest = history.front();
    if (static_cast<long>(history.size()) >= num_requests) return r;
    history.push_back(now);
    r.allowed = true;
    return r;
}

}  // namespace authpolicy::throttle
