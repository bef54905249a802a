#include "serve/bounded_connections.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

namespace blastscan {

namespace {

using Clock = std::chrono::steady_clock;

// What handlers may ask about, or ask of, the connection their request came on.
struct ConnectionState {
  bool close_after_answer = false;
  bool timed_out = false;
};
thread_local ConnectionState* t_connection = nullptr;
// Set while the accept thread runs a connection that the pool has no room for.
thread_local bool t_refuse_connection = false;

// Waits until `fd` is readable (events POLLIN) or writable (POLLOUT), at most `ms`.
bool wait_for(socket_t fd, short events, std::chrono::milliseconds ms) {
  pollfd p{fd, events, 0};
  int n;
  do {
    n = poll(&p, 1, int(std::max<int64_t>(0, ms.count())));
  } while (n < 0 && errno == EINTR);
  return n > 0;
}

// Closing a socket with unread bytes makes the kernel send a reset, which can destroy the
// answer (a 413 to a client still sending its body) before the client reads it. So: end our
// side, then read and drop what the client still sends for a short, bounded while.
void linger_close(socket_t sock) {
  shutdown(sock, SHUT_WR);
  char sink[4096];
  size_t dropped = 0;
  const auto until = Clock::now() + std::chrono::seconds(1);
  while (dropped < (size_t(1) << 20) && Clock::now() < until &&
         wait_for(sock, POLLIN, std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now()))) {
    const ssize_t n = recv(sock, sink, sizeof sink, 0);
    if (n <= 0) break;
    dropped += size_t(n);
  }
  close(sock);
}

void address_of(socket_t fd, bool peer, std::string& ip, int& port) {
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  if ((peer ? getpeername(fd, reinterpret_cast<sockaddr*>(&addr), &len)
            : getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len)) != 0)
    return;
  char text[INET6_ADDRSTRLEN] = "";
  if (addr.ss_family == AF_INET) {
    const auto& a = reinterpret_cast<const sockaddr_in&>(addr);
    inet_ntop(AF_INET, &a.sin_addr, text, sizeof text);
    port = ntohs(a.sin_port);
  } else if (addr.ss_family == AF_INET6) {
    const auto& a = reinterpret_cast<const sockaddr_in6&>(addr);
    inet_ntop(AF_INET6, &a.sin6_addr, text, sizeof text);
    port = ntohs(a.sin6_port);
  }
  ip = text;
}

// A socket read through a small buffer (cpp-httplib reads request lines byte by byte), with
// each request's deadline and byte cap. A read past either fails as a closed socket would.
class GuardedStream final : public httplib::Stream {
 public:
  GuardedStream(socket_t sock, const ConnectionLimits& limits) : sock_(sock), limits_(limits) {}

  void start_request() {
    deadline_ = Clock::now() + std::chrono::seconds(limits_.request_timeout_seconds);
    bytes_read_ = 0;
    state.timed_out = false;
  }
  // After a failed read the request is broken off: its remaining bytes are not a next request.
  bool broken() const { return broken_; }
  // Bytes read from the socket and not yet taken: a pipelined next request.
  bool buffered() const { return begin_ < end_; }

  bool is_readable() const override {
    if (begin_ < end_) return true;
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline_ - Clock::now());  // not before it
    return wait_for(sock_, POLLIN, std::min(left, std::chrono::milliseconds(1000 * limits_.read_timeout_seconds)));
  }
  bool is_writable() const override {
    return wait_for(sock_, POLLOUT, std::chrono::milliseconds(1000 * limits_.write_timeout_seconds));
  }

  ssize_t read(char* ptr, size_t size) override {
    if (begin_ == end_ && !fill()) return -1;
    const size_t n = std::min(size, end_ - begin_);
    std::memcpy(ptr, buffer_.data() + begin_, n);
    begin_ += n;
    return ssize_t(n);
  }

  ssize_t write(const char* ptr, size_t size) override {
    if (!is_writable()) return -1;
    ssize_t n;
    do {
      n = send(sock_, ptr, size, MSG_NOSIGNAL);
    } while (n < 0 && errno == EINTR);
    return n;
  }

  void get_remote_ip_and_port(std::string& ip, int& port) const override { address_of(sock_, true, ip, port); }
  void get_local_ip_and_port(std::string& ip, int& port) const override { address_of(sock_, false, ip, port); }
  socket_t socket() const override { return sock_; }

  ConnectionState state;

 private:
  bool fill() {
    if (bytes_read_ >= limits_.max_request_bytes) return fail();
    if (Clock::now() >= deadline_ || !is_readable()) {
      state.timed_out = Clock::now() >= deadline_;
      return fail();
    }
    const size_t want = std::min(buffer_.size(), limits_.max_request_bytes - bytes_read_);
    ssize_t n;
    do {
      n = recv(sock_, buffer_.data(), want, 0);
    } while (n < 0 && errno == EINTR);
    if (n <= 0) return fail();
    begin_ = 0;
    end_ = size_t(n);
    bytes_read_ += size_t(n);
    return true;
  }
  bool fail() {
    broken_ = true;
    return false;
  }

  socket_t sock_;
  const ConnectionLimits& limits_;
  std::array<char, 4096> buffer_{};
  size_t begin_ = 0, end_ = 0;
  size_t bytes_read_ = 0;
  Clock::time_point deadline_ = Clock::now();
  bool broken_ = false;
};

// Runs each connection on one of `size` threads; when all are taken, runs it at once on the
// accept thread in refusal mode (a 503 written to a fresh socket never blocks), so a flood of
// slow clients is answered "busy" instead of queueing without bound.
class ConnectionPool final : public httplib::TaskQueue {
 public:
  explicit ConnectionPool(size_t size) {
    for (size_t i = 0; i < size; ++i) threads_.emplace_back([this] { work(); });
  }
  ~ConnectionPool() override { shutdown(); }

  void enqueue(std::function<void()> fn) override {
    {
      std::lock_guard lock(mutex_);
      if (busy_ + jobs_.size() < threads_.size()) {
        jobs_.push_back(std::move(fn));
        wake_.notify_one();
        return;
      }
    }
    t_refuse_connection = true;
    fn();
    t_refuse_connection = false;
  }

  void shutdown() override {
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
      stopping_ = true;
    }
    wake_.notify_all();
    for (auto& t : threads_) t.join();  // each finishes its connection first (the drain)
  }

 private:
  void work() {
    while (true) {
      std::function<void()> job;
      {
        std::unique_lock lock(mutex_);
        wake_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
        if (jobs_.empty()) return;
        job = std::move(jobs_.front());
        jobs_.pop_front();
        ++busy_;
      }
      job();
      std::lock_guard lock(mutex_);
      --busy_;
    }
  }

  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> jobs_;
  size_t busy_ = 0;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace

BoundedServer::BoundedServer(const ConnectionLimits& limits, std::string overloaded_json)
    : limits_(limits), overloaded_json_(std::move(overloaded_json)) {
  new_task_queue = [this] { return new ConnectionPool(limits_.max_connections); };
  set_read_timeout(limits.read_timeout_seconds);
  set_write_timeout(limits.write_timeout_seconds);
  set_keep_alive_timeout(limits.keep_alive_seconds);
}

void BoundedServer::close_after_answer() {
  if (t_connection) t_connection->close_after_answer = true;
}

bool BoundedServer::request_timed_out() { return t_connection && t_connection->timed_out; }

void BoundedServer::refuse(socket_t sock) const {
  const std::string answer = "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nRetry-After: 1\r\n"
                             "Connection: close\r\nContent-Length: " +
                             std::to_string(overloaded_json_.size()) + "\r\n\r\n" + overloaded_json_;
  (void)!send(sock, answer.data(), answer.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
}

// cpp-httplib's own loop (detail::process_server_socket_core), with GuardedStream and with
// the connection closed after any request that was broken off or asked to close.
bool BoundedServer::process_and_close_socket(socket_t sock) {
  if (t_refuse_connection) {  // on the accept thread: answer, drop what has arrived, close, never wait
    refuse(sock);
    char sink[4096];
    for (int i = 0; i < 16 && recv(sock, sink, sizeof sink, MSG_DONTWAIT) > 0; ++i) {
    }
    shutdown(sock, SHUT_RDWR);
    close(sock);
    return false;
  }
  bool ret = false;
  {
    GuardedStream stream(sock, limits_);
    t_connection = &stream.state;
    const auto idle = std::chrono::milliseconds(1000 * limits_.keep_alive_seconds);
    for (size_t left = keep_alive_max_count_; left > 0 && svr_sock_ != INVALID_SOCKET; --left) {
      // Wait for the next request in short steps, so that stop() ends an idle connection soon.
      const auto until = Clock::now() + idle;
      bool readable = stream.buffered();  // a pipelined request is there already: no wait on the socket
      while (!readable && svr_sock_ != INVALID_SOCKET && Clock::now() < until)
        readable = wait_for(sock, POLLIN, std::min(std::chrono::milliseconds(100),
                                                   std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now())));
      if (!readable) break;
      stream.start_request();
      bool connection_closed = false;
      ret = process_request(stream, left == 1, connection_closed, nullptr);
      if (!ret || connection_closed || stream.broken() || stream.state.close_after_answer) break;
    }
    t_connection = nullptr;
  }
  linger_close(sock);
  return ret;
}

}  // namespace blastscan
