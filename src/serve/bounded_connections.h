// Per-connection limits that Debian 12's cpp-httplib (0.11.4) does not have. It bounds each
// read by --read-timeout and nothing else, so: a client sending one header byte per second
// holds a worker forever (8 of them stopped the server); a request line or header without a
// newline is buffered without limit; a chunked or gzip body is read whole; a connection whose
// body was refused stays open for the rest of it; and connections beyond the worker pool wait
// in an unbounded queue.
//
// BoundedServer serves each connection itself, through a Stream of its own that enforces,
// for each request: a deadline for the whole request (line, headers and body), a cap on the
// bytes read, and a close after the answer when a handler refused the body. It runs each
// connection on a thread of a pool of `max_connections`; a connection beyond that gets a
// 503 at once instead of waiting. Handlers run on those threads, as before.
// Left out: HTTPS (httplib's SSL server is not derived from here; put nginx in front).
#pragma once
#include <cstddef>
#include <ctime>
#include <string>

#include <httplib.h>

namespace blastscan {

struct ConnectionLimits {
  size_t max_connections = 64;       // served at once; more get 503 at once
  int request_timeout_seconds = 30;  // a whole request (line, headers, body) arrives within this
  int read_timeout_seconds = 10;     // and no single read waits longer than this
  int write_timeout_seconds = 10;
  int keep_alive_seconds = 2;        // idle time allowed between requests on one connection
  size_t max_request_bytes = size_t(33) << 20;  // line + headers + body as sent
};

class BoundedServer : public httplib::Server {
 public:
  // `overloaded_json` is the body of the 503 answer to a connection beyond the limit.
  BoundedServer(const ConnectionLimits& limits, std::string overloaded_json);

  // For handlers, about the request being served on this thread:
  // the connection closes after the answer (the rest of a refused body is never read);
  static void close_after_answer();
  // the request's deadline passed while it was being read.
  static bool request_timed_out();

 private:
  bool process_and_close_socket(socket_t sock) override;
  void refuse(socket_t sock) const;

  ConnectionLimits limits_;
  std::string overloaded_json_;
};

}  // namespace blastscan
