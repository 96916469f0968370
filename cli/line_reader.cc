#include "line_reader.h"

#include "cli_error.h"

namespace authpolicy_cli {

ReadResult read_line(std::istream& in, std::string& line, size_t cap) {
    line.clear();
    std::streambuf* buf = in.rdbuf();
    bool any = false, too_long = false;
    for (;;) {
        const int c = buf->sbumpc();
        if (c == std::char_traits<char>::eof()) {
            in.setstate(std::ios::eofbit);
            if (!any) return ReadResult::kEnd;
            break;
        }
        any = true;
        if (c == '\n') break;
        if (line.size() < cap) {
            line.push_back(static_cast<char>(c));
        } else {
            too_long = true;  // keep consuming to the end of the line
        }
    }
    if (too_long) {
        line.clear();
        return ReadResult::kTooLong;
    }
    return ReadResult::kLine;
}

std::string read_all(std::istream& in, size_t cap) {
    std::string text;
    std::streambuf* buf = in.rdbuf();
    char chunk[65536];
    for (;;) {
        const std::streamsize n = buf->sgetn(chunk, sizeof chunk);
        if (n <= 0) break;
        if (text.size() + static_cast<size_t>(n) > cap)
            throw CliError(kUsage, "request: larger than " + std::to_string(cap >> 20) + " MiB");
        text.append(chunk, static_cast<size_t>(n));
    }
    return text;
}

}  // namespace authpolicy_cli
