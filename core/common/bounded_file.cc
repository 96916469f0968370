#include "core/common/bounded_file.h"

#include <cstdio>
#include <memory>

namespace authpolicy {

FileRead read_bounded_file(const std::string& path, size_t max_bytes, std::string& out) {
    out.clear();
    const std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen(path.c_str(), "rb"), &std::fclose);
    if (!f) return FileRead::Unreadable;
    char buf[65536];
    for (;;) {
        const size_t n = std::fread(buf, 1, sizeof buf, f.get());
        if (n == 0) break;
        if (out.size() + n > max_bytes) {
            out.clear();
            return FileRead::TooLarge;
        }
        out.append(buf, n);
    }
    if (std::ferror(f.get())) {  // a directory, an I/O error
        out.clear();
        return FileRead::Unreadable;
    }
    return FileRead::Ok;
}

}  // namespace authpolicy
