// The CLI's request JSON → an authp_request:
// {"method", "path", "headers": {name: value} | [[name, value], …], "remote_addr", "remote_user",
//  "secure", "view"}. Every key is optional and null means absent. Unknown keys and wrong types
// are errors that name the key and never quote a header value (headers carry credentials).
#pragma once

#include <string>

#include "authpolicy.h"

namespace authpolicy_cli {

// Fills `req` (fresh or reset). Throws CliError(kUsage) on bad input. `default_view` (--view)
// applies unless the request has its own "view".
void fill_request(authp_request* req, const std::string& json_text, const std::string& default_view);

}  // namespace authpolicy_cli
