// DRF's BaseThrottle.get_ident: which client a request comes from, given NUM_PROXIES.
#pragma once

#include <optional>
#include <string>

#include "core/http/request.h"

namespace authpolicy::throttle {

// With num_proxies unset, the whole X-Forwarded-For header (all whitespace removed) or the
// remote address; with n proxies, the entry just before them. An absent remote address is "None",
// as DRF's key format prints it.
std::string client_ident(const http::Request& request, std::optional<int> num_proxies);

}  // namespace authpolicy::throttle
