// `"RELOAD": {"WATCH": true}`: watches the configuration file with inotify and calls back when it
// was written or replaced, so `authpolicy serve` reloads as on SIGHUP. The file's directory is
// watched (an editor or `mv` replaces the file, which ends a watch on the file itself); changes
// in quick succession are folded into one call after a short quiet time.
#pragma once

#include <atomic>
#include <functional>
#include <string>
#include <thread>

namespace authpolicy::server {

class ConfigWatcher {
  public:
    // Throws std::runtime_error when inotify cannot watch the file's directory.
    ConfigWatcher(const std::string& path, std::function<void()> on_change);
    ~ConfigWatcher();  // stops the thread
    ConfigWatcher(const ConfigWatcher&) = delete;
    ConfigWatcher& operator=(const ConfigWatcher&) = delete;

  private:
    void run();

    std::string name_;  // the file's name inside the watched directory
    std::function<void()> on_change_;
    int inotify_fd_ = -1;
    int stop_fd_ = -1;  // an eventfd the destructor writes to end the thread's poll
    std::thread thread_;
};

}  // namespace authpolicy::server
