// JSON for JOSE headers and claims: UTF-8 only (no BOM, no lone surrogates), bounded depth,
// and duplicate member names rejected at every level (RFC 7515 §5.2 allows "last wins";
// we refuse, as {"alg":"HS256","alg":"none"} is an attack).
#pragma once

#include <optional>
#include <string_view>

#include <nlohmann/json.hpp>

namespace authpolicy::jose {

// nullopt when the text is not one strict JSON object.
std::optional<nlohmann::json> parse_strict_object(std::string_view text);

}  // namespace authpolicy::jose
