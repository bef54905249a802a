#include "serve/stop_signals.h"

#include <csignal>
#include <cstdlib>
#include <ctime>

#include <spdlog/spdlog.h>

namespace blastscan {

namespace {

sigset_t stop_signal_set() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  return set;
}

}  // namespace

StopSignals::StopSignals(std::function<void()> on_stop) : on_stop_(std::move(on_stop)) {
  const sigset_t set = stop_signal_set();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  waiter_ = std::thread([this, set] {
    bool stopping = false;
    const timespec poll{0, 200'000'000};  // wakes up now and then to notice done_
    while (!done_) {
      const int sig = sigtimedwait(&set, nullptr, &poll);
      if (sig < 0) continue;
      if (stopping) {
        spdlog::warn("second {}: exiting without waiting for requests in flight", sig == SIGINT ? "SIGINT" : "SIGTERM");
        std::_Exit(130);
      }
      stopping = true;
      spdlog::info("{}: finishing requests in flight, then exiting", sig == SIGINT ? "SIGINT" : "SIGTERM");
      on_stop_();
    }
  });
}

StopSignals::~StopSignals() {
  done_ = true;
  waiter_.join();
}

}  // namespace blastscan
