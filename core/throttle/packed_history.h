// A throttle history (doubles) packed into bytes: how the SQLite and PostgreSQL throttle
// stores keep it in one column. Same machine, same layout: the bytes never travel.
#pragma once

#include <cstring>
#include <string>
#include <vector>

namespace authpolicy::throttle {

inline std::vector<double> unpack_history(const std::string& blob) {
    std::vector<double> out(blob.size() / sizeof(double));
    if (!out.empty()) std::memcpy(out.data(), blob.data(), out.size() * sizeof(double));
    return out;
}

inline std::string pack_history(const std::vector<double>& v) {
    return std::string(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(double));
}

}  // namespace authpolicy::throttle
