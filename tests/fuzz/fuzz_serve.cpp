// The server's request path without a socket: the bytes are one HTTP request (request line,
// headers, body: raw image, multipart, chunked, gzip...) answered by Server::answer with a
// small model loaded. Every request gets a well-formed answer carrying nosniff, never a crash,
// an escaped exception or a 500 (bad input is a 4xx).
#include <spdlog/spdlog.h>

#include "formats/graphdef.h"
#include "fuzz/fuzz_check.h"
#include "inception/random_model.h"
#include "serve/server.h"

using namespace blastscan;

namespace {

// The shallowest end point keeps a network pass short; the request path is the same.
Server& server() {
  static Server* server = [] {
    spdlog::set_level(spdlog::level::off);  // one log line per request would drown the fuzzer's output
    Model model = make_random_model("Conv2d_1a_3x3", 2, 7);
    model.classes = {"healthy", "ALL"};
    model.positive = {"ALL"};
    ServerOptions options;
    options.max_body_bytes = size_t(1) << 20;
    auto* s = new Server(options);
    s->set_model(std::make_shared<ServedModel>(std::move(model), PredictorOptions{.threads = 1}, "fuzz.pb", "0"));
    return s;
  }();
  return *server;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string full = server().answer(fuzz::as_text({data, size}));
  // "Expect: 100-continue" gets the interim answer first; the answer to judge follows it.
  constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
  const std::string answer = full.starts_with(kContinue) ? full.substr(kContinue.size()) : full;
  if (answer.empty()) return 0;  // cpp-httplib answers nothing to bytes that are no request line
  fuzz::check(answer.rfind("HTTP/1.1 ", 0) == 0 && answer.size() >= 12, "an answer starts with a status line");
  const int status = std::atoi(answer.c_str() + 9);
  fuzz::check(status >= 200 && status < 500, "bad input gets a 2xx-4xx answer, not a 5xx");
  const size_t head_end = answer.find("\r\n\r\n");
  fuzz::check(answer.substr(0, head_end + 2).find("\r\nX-Content-Type-Options: nosniff\r\n") != std::string::npos,
              "every answer carries X-Content-Type-Options: nosniff");
  return 0;
}
