// Which client a request comes from (the throttles' identity): DRF's BaseThrottle.get_ident,
// made safe by default (docs/throttling.md "Client identity").
#pragma once

#include <optional>
#include <string>

#include "core/http/request.h"
#include "core/throttle/trusted_proxies.h"

namespace authpolicy::throttle {

struct ClientIdentitySettings {
    // RemoteAddress (the default): without NUM_PROXIES or TRUSTED_PROXIES, X-Forwarded-For is
    // ignored. Drf ("CLIENT_IDENTITY": "drf"): DRF's unset rule, the whole header.
    enum class Mode { RemoteAddress, Drf };
    Mode mode = Mode::RemoteAddress;
    std::optional<int> num_proxies;  // NUM_PROXIES
    TrustedProxies trusted;          // TRUSTED_PROXIES (empty: every hop counted by NUM_PROXIES is believed)
};

std::string client_ident(const http::Request& request, const ClientIdentitySettings& settings);

// DRF's get_ident exactly. With num_proxies unset, the whole X-Forwarded-For header (all
// whitespace removed) or the remote address; with n proxies, the entry just before them. An
// absent remote address is "None", as DRF's key format prints it.
std::string client_ident(const http::Request& request, std::optional<int> num_proxies);

}  // namespace authpolicy::throttle
