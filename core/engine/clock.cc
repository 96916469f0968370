#include "core/engine/clock.h"

#include <chrono>

namespace authpolicy {

double SystemClock::now() const {
    using namespace std::chrono;
    return duration<double>(system_clock::now().time_since_epoch()).count();
}

}  // namespace authpolicy
