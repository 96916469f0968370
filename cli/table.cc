#include "table.h"

#include <ctime>

namespace authpolicy_cli {
namespace {

// Display width: UTF-8 continuation bytes take no column.
size_t width(const std::string& s) {
    size_t w = 0;
    for (unsigned char c : s) w += (c & 0xC0) != 0x80;
    return w;
}

// A cell as the terminal may see it: control characters (C0, DEL, C1 such as ESC and CSI, which
// could move the cursor or rewrite earlier lines) become \xNN.
std::string printable(const std::string& s) {
    std::string out;
    const auto* p = reinterpret_cast<const unsigned char*>(s.data());
    for (size_t i = 0; i < s.size(); ++i) {
        const bool c1 = p[i] == 0xc2 && i + 1 < s.size() && p[i + 1] >= 0x80 && p[i + 1] <= 0x9f;
        if (p[i] >= 0x20 && p[i] != 0x7f && !c1) {
            out.push_back(static_cast<char>(p[i]));
            continue;
        }
        const unsigned v = c1 ? p[++i] : p[i];
        static const char hex[] = "0123456789abcdef";
        out += "\\x";
        out.push_back(hex[v >> 4]);
        out.push_back(hex[v & 15]);
    }
    return out;
}

}  // namespace

void print_table(std::ostream& out, const Row& header, const std::vector<Row>& raw_rows) {
    std::vector<Row> rows = raw_rows;
    for (auto& row : rows)
        for (auto& cell : row) cell = printable(cell);
    std::vector<size_t> widths(header.size(), 0);
    for (size_t i = 0; i < header.size(); ++i) widths[i] = width(header[i]);
    for (const auto& row : rows)
        for (size_t i = 0; i < row.size() && i < widths.size(); ++i) widths[i] = std::max(widths[i], width(row[i]));
    auto line = [&](const Row& row) {
        std::string text;
        for (size_t i = 0; i < row.size(); ++i) {
            text += row[i];
            if (i + 1 < row.size()) text += std::string(widths[i] - width(row[i]) + 2, ' ');
        }
        out << text << '\n';
    };
    line(header);
    for (const auto& row : rows) line(row);
}

std::string utc_time(long long seconds) {
    const std::time_t t = static_cast<std::time_t>(seconds);
    std::tm tm{};
    if (gmtime_r(&t, &tm) == nullptr) return std::to_string(seconds);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%SZ", &tm);
    return buf;
}

}  // namespace authpolicy_cli
