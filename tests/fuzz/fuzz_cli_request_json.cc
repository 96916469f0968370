// The request JSON the `authpolicy decide` command reads (cli/request_json.cc, compiled in as is),
// filled into a C API request and evaluated.
// Input: the JSON text of one request.
#include <cstdint>
#include <string>

#include "cli_error.h"
#include "fuzz_support.h"
#include "request_json.h"

namespace {

using authp_fuzz::require;

constexpr const char* kPolicy = R"({
  "DEFAULT_AUTHENTICATION_CLASSES": ["BasicAuthentication", "TokenAuthentication", "RemoteUserAuthentication"],
  "DEFAULT_PERMISSION_CLASSES": ["IsAuthenticated"],
  "PASSWORD_ITERATIONS": 1,
  "VIEWS": {"public": {"permission_classes": ["AllowAny"]}}
})";

struct World {
    authp_engine* engine = authp_fuzz::make_engine(kPolicy);
    World() { authp_fuzz::setup(authp_user_add(nullptr, engine, "alice", 5, "secret", 6, 0), "add alice"); }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static World w;
    const std::string text(reinterpret_cast<const char*>(data), size);
    authp_request* req = nullptr;
    authp_fuzz::setup(authp_request_new(&req, w.engine), "authp_request_new");
    bool filled = false;
    try {
        authpolicy_cli::fill_request(req, text, "");
        filled = true;
    } catch (const authpolicy_cli::CliError& e) {
        require(e.code() == authpolicy_cli::kUsage, "request errors are usage errors");
        const std::string message = e.what();
        require(message.rfind("request: ", 0) == 0 || message.rfind("--view: ", 0) == 0, "request errors say where",
                message);
    }
    // Any other exception type escapes and is reported by libFuzzer as a crash (the CLI would die).
    if (filled) {
        authp_decision* d = nullptr;
        const int rc = authp_engine_evaluate(&d, w.engine, req);
        require(rc == AUTHP_OK || rc == AUTHP_ENOTFOUND, "evaluation reaches a verdict", authp_error_last());
        if (rc == AUTHP_OK) authp_fuzz::check_decision(d);
        authp_decision_free(d);
    }
    authp_request_free(req);
    return 0;
}
