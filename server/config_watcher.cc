#include "server/config_watcher.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <utility>

namespace authpolicy::server {
namespace {

constexpr int kQuietMs = 200;  // an editor's write-then-rename arrives as several events

}  // namespace

ConfigWatcher::ConfigWatcher(const std::string& path, std::function<void()> on_change)
    : on_change_(std::move(on_change)) {
    const std::filesystem::path p = std::filesystem::absolute(path);
    name_ = p.filename().string();
    inotify_fd_ = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
    stop_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    const uint32_t mask = IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE;
    if (inotify_fd_ < 0 || stop_fd_ < 0 || inotify_add_watch(inotify_fd_, p.parent_path().c_str(), mask) < 0) {
        const std::string why = std::strerror(errno);
        if (inotify_fd_ >= 0) ::close(inotify_fd_);
        if (stop_fd_ >= 0) ::close(stop_fd_);
        throw std::runtime_error("RELOAD.WATCH: cannot watch the configuration's directory (" + why + ")");
    }
    thread_ = std::thread([this] { run(); });
}

ConfigWatcher::~ConfigWatcher() {
    const uint64_t one = 1;
    if (::write(stop_fd_, &one, sizeof one) < 0) {
        // The eventfd cannot be full with one write; the join below still ends at the next poll.
    }
    thread_.join();
    ::close(inotify_fd_);
    ::close(stop_fd_);
}

void ConfigWatcher::run() {
    alignas(inotify_event) char buf[4096];
    bool pending = false;
    for (;;) {
        pollfd fds[2] = {{inotify_fd_, POLLIN, 0}, {stop_fd_, POLLIN, 0}};
        const int n = ::poll(fds, 2, pending ? kQuietMs : -1);
        if (n < 0) {
            if (errno == EINTR) continue;
            return;
        }
        if (fds[1].revents != 0) return;
        if (n == 0) {  // quiet since the last change of our file: reload once
            pending = false;
            on_change_();
            continue;
        }
        const ssize_t len = ::read(inotify_fd_, buf, sizeof buf);
        for (ssize_t off = 0; len > 0 && off < len;) {
            const auto* ev = reinterpret_cast<const inotify_event*>(buf + off);
            if (ev->len > 0 && name_ == ev->name) pending = true;
            if ((ev->mask & IN_Q_OVERFLOW) != 0) pending = true;  // events were lost: reload to be sure
            off += static_cast<ssize_t>(sizeof(inotify_event) + ev->len);
        }
    }
}

}  // namespace authpolicy::server
