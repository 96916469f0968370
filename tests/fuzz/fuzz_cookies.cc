// The Cookie header (core/http/cookies: Django's parse_cookie and http.cookies' unquoting).
// Oracles: a found value is never longer than the header; unquoting never grows a value; the
// parser throws nothing (its header promises only std::bad_alloc).
// Input: FuzzedDataProvider: the cookie name, then the header.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstdint>
#include <string>

#include "core/http/cookies.h"
#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    FuzzedDataProvider p(data, size);
    const std::string name = p.ConsumeBool() ? std::string("sessionid") : p.ConsumeRandomLengthString(32);
    const std::string header = p.ConsumeRemainingBytesAsString();
    const auto value = authpolicy::http::find_cookie(header, name);
    if (value) authp_fuzz::require(value->size() <= header.size(), "a cookie value is part of the header");
    const std::string unquoted = authpolicy::http::unquote_cookie_value(header);
    authp_fuzz::require(unquoted.size() <= header.size(), "unquoting never grows a value");
    (void)authpolicy::http::find_cookie(header, "csrftoken");
    return 0;
}
