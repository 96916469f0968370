// DecisionHooks over a real engine through the C API, for the front ends' tests: a view chosen by
// path prefix, the engine's decision turned into a ForwardedAnswer as the decision service does
// (identity headers on allow; status, challenge, Retry-After and {"detail": …} on deny).
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "authpolicy.h"
#include "server/decision_service.h"

namespace authpolicy::test {

class EngineHooks {
  public:
    // config_json: the policy; routes: (path prefix, view) pairs, first match wins.
    EngineHooks(const std::string& config_json, std::vector<std::pair<std::string, std::string>> routes);
    ~EngineHooks();
    EngineHooks(const EngineHooks&) = delete;
    EngineHooks& operator=(const EngineHooks&) = delete;

    authp_engine* engine() { return engine_; }
    server::DecisionHooks hooks();
    server::ForwardedAnswer decide(const server::ForwardedRequest& request) const;

    std::atomic<bool> ready{true};
    std::atomic<int> decisions{0};

  private:
    authp_engine* engine_ = nullptr;
    std::vector<std::pair<std::string, std::string>> routes_;
};

}  // namespace authpolicy::test
