// Plain-text tables for `--format table`: padded columns, a header row.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace authpolicy_cli {

using Row = std::vector<std::string>;

void print_table(std::ostream& out, const Row& header, const std::vector<Row>& rows);

// "2026-11-28 07:38:44Z" from seconds since the epoch (UTC).
std::string utc_time(long long seconds);

}  // namespace authpolicy_cli
