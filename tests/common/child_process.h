// A child process for end-to-end tests (the blastscan server, chromedriver): started with
// posix_spawn, its stdout and stderr going to a log file the test can read and wait on, and
// stopped with a signal. The destructor kills a child that is still running, so a failed
// assertion never leaves a server behind.
#pragma once
#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace blastscan::testing {

class ChildProcess {
 public:
  ChildProcess(const std::vector<std::string>& argv, const std::filesystem::path& log);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  // Sends the signal, waits for the exit and returns the exit status (128 + signal if killed).
  int stop(int signal);
  // Waits for the exit, up to `limit` (a hang guard, not a timing assertion); nullopt if still running.
  std::optional<int> wait(std::chrono::seconds limit);
  std::string log_text() const;
  // Polls the log until the regex matches (or the child exits, or `limit` passes); returns
  // the first capture group, or nullopt.
  std::optional<std::string> wait_for_log(const std::string& regex, std::chrono::seconds limit);

 private:
  pid_t pid_ = -1;
  std::filesystem::path log_;
  std::optional<int> status_;
};

// A TCP port that was free a moment ago, for programs that cannot bind port 0 themselves.
int free_tcp_port();

}  // namespace blastscan::testing
