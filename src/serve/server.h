// The HTTP server behind `blastscan serve`: the seed's API (POST /Inference) plus GET /health,
// GET /model and the web page at GET /, on cpp-httplib with a fixed pool of worker threads.
// It listens before the model is loaded, answering 503 until then, so orchestrators can
// probe /health while a large model loads. Transport details stay in server.cpp (pimpl).
// Left out on purpose: TLS and authentication (put nginx in front), and any per-client state.
#pragma once
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "serve/served_model.h"

namespace blastscan {

struct ServerOptions {
  std::string host = "127.0.0.1";  // loopback unless told otherwise
  int port = 8080;                 // the seed's confs.json; 0 = any free port
  int workers = 8;                 // requests decoded and answered at once
  int max_connections = 64;        // connections served at once (threads); more get 503 at once
  size_t max_body_bytes = size_t(32) << 20;  // larger uploads (as decoded) get 413
  size_t max_memory_bytes = size_t(1) << 30;  // bodies + decoded images in flight; past it 503
  int request_timeout_seconds = 60;  // a whole request arrives within this, or 408 and closed
  int read_timeout_seconds = 10;   // a client that stalls this long mid-request is dropped
  int write_timeout_seconds = 10;
  int keep_alive_seconds = 2;      // also bounds how long a drain waits on idle connections
};

class Server {
 public:
  explicit Server(ServerOptions options);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds host:port and returns the port (useful with port 0). Throws Error naming host:port.
  int bind();
  // Serves on the bound socket until stop(); requests in flight are answered before it returns.
  void listen();
  // Safe from any thread (a signal-waiting thread, a test).
  void stop();
  // Publishes the loaded model; until then /health and /Inference answer 503.
  void set_model(std::shared_ptr<ServedModel> model);
  // Answers one request held in memory, without a socket: `request` is the bytes a client
  // sends, the result the bytes it gets back. The whole path runs (request parsing, body
  // limits, routing, handlers, error answers), so a fuzzer or a test can drive it with bytes.
  std::string answer(std::string_view request);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace blastscan
