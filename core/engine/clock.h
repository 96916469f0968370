// Time as the engine reads it: injectable so tests (and the CLI's --now) are deterministic.
#pragma once

#include <functional>

namespace authpolicy {

class Clock {
  public:
    virtual ~Clock() = default;
    virtual double now() const = 0;  // seconds since the Unix epoch
};

class SystemClock final : public Clock {
  public:
    double now() const override;
};

class FunctionClock final : public Clock {
  public:
    explicit FunctionClock(std::function<double()> fn) : fn_(std::move(fn)) {}
    double now() const override { return fn_(); }

  private:
    std::function<double()> fn_;
};

}  // namespace authpolicy
