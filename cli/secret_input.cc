#include "secret_input.h"

#include <termios.h>
#include <unistd.h>

#include <iostream>

#include "cli_error.h"

namespace authpolicy_cli {
namespace {

// Echo off for the duration of one read from a terminal; restored on every path out.
class EchoOff {
  public:
    EchoOff() {
        if (isatty(STDIN_FILENO) != 1 || tcgetattr(STDIN_FILENO, &saved_) != 0) return;
        termios quiet = saved_;
        quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
        active_ = tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) == 0;
    }
    ~EchoOff() {
        if (!active_) return;
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_);
        std::cerr << '\n';  // the user's Enter was not echoed
    }
    EchoOff(const EchoOff&) = delete;
    EchoOff& operator=(const EchoOff&) = delete;

  private:
    termios saved_{};
    bool active_ = false;
};

}  // namespace

std::string read_secret_line(const char* what) {
    if (isatty(STDIN_FILENO) == 1) std::cerr << "Enter the " << what << ": " << std::flush;
    std::string line;
    {
        EchoOff echo_off;
        if (!std::getline(std::cin, line) && line.empty())
            throw CliError(kUsage, std::string("expected the ") + what + " on standard input");
    }
    // getline already dropped the "\n"; a final line without one is taken as it is.
    return line;
}

void wipe(std::string& secret) {
    volatile char* p = secret.data();
    for (size_t i = 0; i < secret.size(); ++i) p[i] = 0;
    secret.clear();
}

std::string trimmed(std::string s) {
    const auto first = s.find_first_not_of(" \t\r\n");
    if (first == std::string::npos) return {};
    s.erase(s.find_last_not_of(" \t\r\n") + 1);
    s.erase(0, first);
    return s;
}

}  // namespace authpolicy_cli
