// Transport for the server: one route table, one wrapper that turns exceptions into JSON errors
// (InputError -> 400, anything else -> 500; llama.cpp's ex_wrapper), one error handler that
// gives cpp-httplib's own refusals (404, 405, 413, malformed requests) the same JSON shape,
// and one log line per request. Network passes run on the model's compute thread
// (served_model.h); HTTP workers only read, decode and answer.
#include "serve/server.h"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <functional>
#include <semaphore>
#include <span>
#include <thread>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <httplib.h>
#include <sys/socket.h>
#include <spdlog/spdlog.h>

#include "base/error.h"
#include "base/safe_text.h"
#include "data/image.h"
#include "serve/answers.h"
#include "serve/bounded_connections.h"
#include "serve/memory_budget.h"
#include "serve/web_page.h"

namespace blastscan {

namespace {

using httplib::Request;
using httplib::Response;
using Handler = std::function<void(const Request&, Response&)>;

// Bytes a request may send beyond its body: request line, headers, multipart and chunk framing.
constexpr size_t kHeaderAllowance = size_t(1) << 20;
// A body's share of the memory budget is taken in steps of this as it arrives.
constexpr size_t kBodyStep = size_t(1) << 20;

struct Route {
  std::string method;
  std::string path;
  Handler handle;
};

void write_json(Response& res, int status, const nlohmann::ordered_json& body) {
  res.status = status;
  res.set_content(json_text(body), "application/json");  // paths and names may be any bytes
}

// cpp-httplib calls the error handler and the logger outside its try block: an exception
// there would end the worker thread and the process. These run them behind a last guard.
template <class Fn>
void never_throw(const char* what, Fn&& fn) noexcept {
  try {
    fn();
  } catch (const std::exception& e) {
    try {
      spdlog::error("{}: {}", what, printable(e.what()));
    } catch (...) {
    }
  } catch (...) {
  }
}

// The image bytes of an inference request and how to name them in errors: multipart field
// `file` when the request is multipart/form-data, else the raw body (the seed's client).
std::pair<std::span<const uint8_t>, std::string> request_image(const Request& req) {
  const auto as_bytes = [](const std::string& s) {
    return std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(s.data()), s.size());
  };
  if (req.is_multipart_form_data()) {
    if (!req.has_file("file"))
      throw InputError("multipart request has no field 'file' (send the image as field 'file' or as the raw body)");
    const auto& file = req.files.find("file")->second;
    if (file.content.empty()) throw InputError("multipart field 'file' is empty");
    return {as_bytes(file.content), file.filename.empty() ? "field 'file'" : "field 'file' (" + file.filename + ")"};
  }
  if (req.body.empty())
    throw InputError("empty request body: send the image as the raw body or as multipart field 'file'");
  return {as_bytes(req.body), "request body"};
}

ConnectionLimits connection_limits(const ServerOptions& o) {
  return {.max_connections = size_t(o.max_connections),
          .request_timeout_seconds = o.request_timeout_seconds,
          .read_timeout_seconds = o.read_timeout_seconds,
          .write_timeout_seconds = o.write_timeout_seconds,
          .keep_alive_seconds = o.keep_alive_seconds,
          .max_request_bytes = o.max_body_bytes + kHeaderAllowance};
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// cpp-httplib's request processing is protected: reachable from a subclass without a socket.
struct HttpServer : BoundedServer {
  using BoundedServer::BoundedServer;
  using httplib::Server::process_request;
};

// A connection held in memory: reads come from the request's bytes, writes go to the answer.
// Reads end at `max_request_bytes` as a socket's do (GuardedStream), so a request larger on the
// wire than the server takes gets the answer a client would get, not one to bytes never read.
class MemoryStream : public httplib::Stream {
 public:
  MemoryStream(std::string_view request, size_t max_request_bytes) : request_(request.substr(0, max_request_bytes)) {}
  bool is_readable() const override { return true; }
  bool is_writable() const override { return true; }
  ssize_t read(char* ptr, size_t size) override {
    const size_t n = std::min(size, request_.size() - pos_);
    std::copy_n(request_.data() + pos_, n, ptr);
    pos_ += n;
    return static_cast<ssize_t>(n);
  }
  ssize_t write(const char* ptr, size_t size) override {
    answer_.append(ptr, size);
    return static_cast<ssize_t>(size);
  }
  void get_remote_ip_and_port(std::string& ip, int& port) const override { ip = "memory", port = 0; }
  void get_local_ip_and_port(std::string& ip, int& port) const override { ip = "memory", port = 0; }
  socket_t socket() const override { return INVALID_SOCKET; }
  std::string take_answer() { return std::move(answer_); }

 private:
  std::string_view request_;
  size_t pos_ = 0;
  std::string answer_;
};

}  // namespace

// ---- the server

struct Server::Impl {
  ServerOptions options;
  HttpServer http;
  mutable std::counting_semaphore<1024> worker_slots;  // requests decoded and answered at once
  mutable MemoryBudget memory;  // bodies and decoded images of every request in flight
  std::atomic<std::shared_ptr<ServedModel>> model;
  std::atomic<bool> stop_requested{false};
  std::atomic<bool> listening{false};  // inside listen()
  std::vector<Route> routes;

  explicit Impl(ServerOptions o)
      : options(std::move(o)),
        http(connection_limits(options), json_text(error_answer("the server is at its connection limit; retry"))),
        worker_slots(options.workers),
        memory(options.max_memory_bytes) {
    routes = {
        {"GET", "/", [](const Request&, Response& res) { send_page(res); }},
        {"GET", "/health", [this](const Request&, Response& res) { handle_health(res); }},
        {"GET", "/model", [this](const Request&, Response& res) { handle_model(res); }},
        {"POST", "/Inference", [this](const Request& req, Response& res) { handle_inference(req, res); }},
    };
    for (const Route& route : routes) {  // the table holds GET and POST routes only
      if (route.method == "GET")
        http.Get(route.path, wrap(route.handle));
      else
        http.Post(route.path, with_body(wrap(route.handle)));
    }
    // A body sent anywhere else is never read (cpp-httplib would read it whole, inflating
    // gzip as it goes): the answer is 404 or 405 from answer_error, and the connection closes.
    const auto no_route = [](const Request&, Response& res, const httplib::ContentReader&) {
      res.status = 404;
      BoundedServer::close_after_answer();
    };
    http.Post(".*", no_route);
    http.Put(".*", no_route);
    http.Patch(".*", no_route);
    http.Delete(".*", no_route);
    http.set_error_handler(httplib::Server::HandlerWithResponse([this](const Request& req, Response& res) {
      auto handled = httplib::Server::HandlerResponse::Unhandled;  // cpp-httplib's own empty answer
      never_throw("error handler", [&] { handled = answer_error(req, res); });
      return handled;
    }));
    // Reached only if something throws outside `wrap` (reading a body, copying a request).
    http.set_exception_handler([](const Request& req, Response& res, std::exception_ptr error) {
      never_throw("exception handler", [&] {
        std::string what = "unknown exception";
        try {
          std::rethrow_exception(error);
        } catch (const std::exception& e) {
          what = e.what();
        } catch (...) {
        }
        spdlog::error("{} {}: {}", req.method, printable(req.path), printable(what));
        write_json(res, 500, error_answer("internal error: " + what));
      });
    });
    http.set_logger([](const Request& req, const Response& res) { never_throw("log", [&] { log_request(req, res); }); });
    http.set_payload_max_length(options.max_body_bytes);  // a Content-Length above it: 413 unread
    http.set_tcp_nodelay(true);
    // Every answer, errors included: browsers must not guess a type (a JSON error holding an
    // echoed path is never HTML).
    http.set_default_headers({{"X-Content-Type-Options", "nosniff"}});
    // cpp-httplib's default also sets SO_REUSEPORT, which lets a second server bind the same
    // port and silently share its traffic; keep only SO_REUSEADDR (quick restarts).
    http.set_socket_options([](socket_t sock) {
      const int yes = 1;
      setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    });
  }

  // Every handler runs inside this: exceptions become JSON errors, and the handler's time goes
  // into a Server-Timing header (visible in browsers' dev tools, and read by the log line).
  static httplib::Server::Handler wrap(Handler handle) {
    return [handle = std::move(handle)](const Request& req, Response& res) {
      const auto start = std::chrono::steady_clock::now();
      try {
        handle(req, res);
      } catch (const InputError& e) {
        write_json(res, 400, error_answer(e.what()));
      } catch (const std::exception& e) {
        spdlog::error("{} {}: {}", req.method, printable(req.path), printable(e.what()));
        write_json(res, 500, error_answer(std::string("internal error: ") + e.what()));
      }
      res.set_header("Server-Timing", fmt::format("app;dur={:.1f}", 1000.0 * seconds_since(start)));
    };
  }

  // POST bodies are read here rather than by cpp-httplib, which parses a body labelled
  // application/x-www-form-urlencoded (what `curl --data-binary` sends) as a form and refuses
  // it above 8 KB: an image is bytes, whatever its label says. Multipart parts land in
  // req.files as usual. The size limit holds on the bytes as decoded (after gzip, and for
  // chunked bodies, which cpp-httplib reads without limit): past it the reading stops, the
  // answer is 413 and the connection closes, so the rest is never read.
  httplib::Server::HandlerWithContentReader with_body(httplib::Server::Handler handle) const {
    return [this, handle = std::move(handle)](const Request& req, Response& res, const httplib::ContentReader& read) {
      Request full = req;
      size_t received = 0;
      bool busy = false;
      MemoryBudget::Reservation held = memory.open();  // held until the answer is written
      const auto within_limit = [&](size_t n) {
        if ((received += n) > options.max_body_bytes) return false;
        while (held.bytes() < received)
          if (!held.grow(kBodyStep)) return !(busy = true);
        return true;
      };
      bool complete;
      if (req.is_multipart_form_data()) {
        auto part = full.files.end();
        complete = read(
            [&](const httplib::MultipartFormData& header) {
              part = full.files.emplace(header.name, header);
              return true;
            },
            [&](const char* data, size_t n) {
              if (!within_limit(n)) return false;
              part->second.content.append(data, n);
              return true;
            });
      } else {
        complete = read([&](const char* data, size_t n) {
          if (!within_limit(n)) return false;
          full.body.append(data, n);
          return true;
        });
      }
      if (complete) return handle(full, res);
      BoundedServer::close_after_answer();
      if (busy) res.status = 503;
      else if (received > options.max_body_bytes) res.status = 413;
      else if (BoundedServer::request_timed_out()) res.status = 408;
      // else cpp-httplib has set 400 (malformed) or 413 (Content-Length above the limit)
    };
  }

  // ---- handlers

  static void send_page(Response& res) {
    // The page needs nothing from elsewhere; the policy makes sure of it in the browser too.
    res.set_header("Content-Security-Policy",
                   "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
                   "img-src blob:; connect-src 'self'");
    res.set_content(std::string(web_page_html()), "text/html; charset=utf-8");
  }

  // The model, or a 503 answer while it is still loading.
  std::shared_ptr<ServedModel> ready_model(Response& res) const {
    auto served = model.load();
    if (!served) {
      res.set_header("Retry-After", "2");
      write_json(res, 503, error_answer("the model is still loading"));
    }
    return served;
  }

  void handle_health(Response& res) const {
    if (auto served = ready_model(res)) write_json(res, 200, {{"Response", "OK"}, {"Message", "ready"}, {"sha256", served->sha256}});
  }

  void handle_model(Response& res) const {
    if (auto served = ready_model(res)) write_json(res, 200, model_answer(*served));
  }

  void handle_inference(const Request& req, Response& res) const {
    auto served = ready_model(res);
    if (!served) return;
    const auto [bytes, name] = request_image(req);
    // Slow clients hold a connection while they send, never one of these.
    worker_slots.acquire();
    struct Release {
      std::counting_semaphore<1024>& slots;
      ~Release() { slots.release(); }
    } release{worker_slots};
    // The decoder's size, from the header, before decoding: the image and its RGB copy.
    MemoryBudget::Reservation decoding = memory.open();
    if (!decoding.grow(size_t(2 * decoded_size(bytes, name)))) return answer_busy(res);
    const auto start = std::chrono::steady_clock::now();
    const cv::Mat rgb = decode_image(bytes, name);  // by the bytes, whatever Content-Type says
    write_json(res, 200, answer_image(*served, rgb, req.has_param("explain"), seconds_since(start)));
  }

  void answer_busy(Response& res) const {
    res.set_header("Retry-After", "1");
    write_json(res, 503, error_answer(busy_message()));
  }
  std::string busy_message() const {
    return fmt::format("the server is busy: requests in flight hold its memory limit of {} MiB; retry",
                       memory.limit() >> 20);
  }

  // ---- refusals made by cpp-httplib itself (no route, body too large, malformed request)

  httplib::Server::HandlerResponse answer_error(const Request& req, Response& res) const {
    if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;  // a handler's own answer
    // cpp-httplib found the error before any route read the request (a malformed line or
    // header, a body over the limit, no route): the client's bytes stand at an unknown point,
    // and on keep-alive it would read what follows (a header's rest, a body) as a next request.
    BoundedServer::close_after_answer();
    std::string allowed, endpoints;
    for (const Route& route : routes) {
      if (route.path == req.path) allowed += (allowed.empty() ? "" : ", ") + route.method;
      endpoints += (endpoints.empty() ? "" : ", ") + route.method + " " + route.path;
    }
    std::string message;
    if (BoundedServer::request_timed_out()) res.status = 408;  // cpp-httplib says 400: the headers broke off
    if (res.status == 404 && !allowed.empty()) {
      res.status = 405;
      res.set_header("Allow", allowed);
      message = fmt::format("method {} is not allowed on {} (allowed: {})", req.method, req.path, allowed);
    } else if (res.status == 404) {
      message = fmt::format("no endpoint {} {}; the endpoints are {}", req.method, req.path, endpoints);
    } else if (res.status == 413) {
      message = fmt::format("request body is larger than the limit of {} bytes", options.max_body_bytes);
    } else if (res.status == 503) {
      res.set_header("Retry-After", "1");
      message = busy_message();
    } else if (res.status == 408) {
      message = fmt::format("the request did not arrive within {} s", options.request_timeout_seconds);
    } else {
      message = fmt::format("malformed request (HTTP {})", res.status);
    }
    write_json(res, res.status, error_answer(message));
    return httplib::Server::HandlerResponse::Handled;
  }

  static void log_request(const Request& req, const Response& res) {
    // Server-Timing is "app;dur=12.3" when a route handled the request.
    const std::string timing = res.get_header_value("Server-Timing");
    const auto dur = timing.find("dur=");
    const std::string in = req.get_header_value("Content-Length");
    // The path is the client's bytes: escaped, so CR/LF, NUL or ANSI escapes cannot forge a line.
    spdlog::info("{}:{} {} {} in {}B out {}B {}ms", req.remote_addr, req.remote_port, quoted_text(req.method + " " + req.path),
                 res.status, printable(in.empty() ? "0" : in), res.body.size(),
                 dur == std::string::npos ? std::string_view("-") : std::string_view(timing).substr(dur + 4));
  }
};

Server::Server(ServerOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}
Server::~Server() = default;

int Server::bind() {
  const auto& o = impl_->options;
  const int port = o.port == 0 ? impl_->http.bind_to_any_port(o.host) : (impl_->http.bind_to_port(o.host, o.port) ? o.port : -1);
  if (port < 0)
    throw Error(fmt::format("cannot listen on {}:{}: {}", o.host, o.port,
                            errno ? std::strerror(errno) : "address unavailable"));
  return port;
}

void Server::listen() {
  impl_->listening = true;
  const bool failed = !impl_->stop_requested && !impl_->http.listen_after_bind() && !impl_->stop_requested;
  impl_->listening = false;
  if (failed)
    throw Error(fmt::format("server on {}:{} stopped accepting connections", impl_->options.host, impl_->options.port));
}

void Server::stop() {
  if (impl_->stop_requested.exchange(true)) return;  // httplib's stop() asserts if called twice
  // listen() may be between its check of stop_requested and cpp-httplib's start, where
  // httplib's stop() would do nothing: wait for the start (or the end) first.
  while (impl_->listening && !impl_->http.is_running()) std::this_thread::yield();
  impl_->http.stop();
}

void Server::set_model(std::shared_ptr<ServedModel> model) { impl_->model.store(std::move(model)); }

std::string Server::answer(std::string_view request) {
  MemoryStream stream(request, connection_limits(impl_->options).max_request_bytes);
  bool closed = false;
  impl_->http.process_request(stream, /*close_connection=*/true, closed, nullptr);
  return stream.take_answer();
}

}  // namespace blastscan
