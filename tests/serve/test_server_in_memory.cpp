// The server's whole request path driven from memory (Server::answer, the fuzzer's way in):
// well-formed and malformed requests alike get a status line, a JSON or HTML body, and
// X-Content-Type-Options: nosniff (so no answer is ever sniffed as HTML by a browser).
#include <gtest/gtest.h>

#include <unistd.h>

#include <thread>

#include <opencv2/imgcodecs.hpp>

#include "common/raw_http.h"
#include "inception/random_model.h"
#include "serve/server.h"

namespace blastscan {
namespace {

std::string png_bytes() {
  cv::Mat img(40, 40, CV_8UC3, cv::Scalar(30, 90, 200));
  std::vector<uint8_t> bytes;
  cv::imencode(".png", img, bytes);
  return {bytes.begin(), bytes.end()};
}

std::string post(const std::string& headers, const std::string& body) {
  return "POST /Inference HTTP/1.1\r\nHost: x\r\n" + headers + "Content-Length: " + std::to_string(body.size()) +
         "\r\n\r\n" + body;
}

struct Answer {
  int status = 0;
  std::string head, body;
};

Answer parse_answer(const std::string& bytes) {
  Answer a;
  const auto end = bytes.find("\r\n\r\n");
  a.head = bytes.substr(0, end);
  a.body = end == std::string::npos ? "" : bytes.substr(end + 4);
  if (bytes.rfind("HTTP/1.1 ", 0) == 0) a.status = std::atoi(bytes.c_str() + 9);
  return a;
}

std::shared_ptr<ServedModel> two_class_model() {
  Model model = make_random_model("Conv2d_1a_3x3", 2, 3);
  model.classes = {"healthy", "ALL"};
  model.positive = {"ALL"};
  return std::make_shared<ServedModel>(std::move(model), PredictorOptions{.threads = 1}, "m.pb", "sha");
}

TEST(ServerInMemory, EveryAnswerHasAStatusAndNosniff) {
  ServerOptions options;
  options.max_body_bytes = 4096;
  Server server(options);
  server.set_model(two_class_model());
  const std::string png = png_bytes();
  ASSERT_LT(png.size(), options.max_body_bytes);
  const std::vector<std::pair<std::string, int>> cases = {
      {"GET / HTTP/1.1\r\nHost: x\r\n\r\n", 200},
      {"GET /health HTTP/1.1\r\nHost: x\r\n\r\n", 200},
      {"GET /model HTTP/1.1\r\nHost: x\r\n\r\n", 200},
      {post("Content-Type: application/octet-stream\r\n", png), 200},
      {post("", "not an image"), 400},
      {post("", ""), 400},
      {post("", std::string(5000, 'x')), 413},
      {"GET /nothing HTTP/1.1\r\nHost: x\r\n\r\n", 404},
      {"GET /%ff%00<script> HTTP/1.1\r\nHost: x\r\n\r\n", 404},
      {"DELETE /health HTTP/1.1\r\nHost: x\r\n\r\n", 405},
      {"BREW /coffee HTCPCP/1.0\r\n\r\n", 400},
      {"GET\r\n\r\n", 400},
      {"POST /Inference HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n\r\n", 400},
  };
  for (const auto& [request, status] : cases) {
    const Answer a = parse_answer(server.answer(request));
    const std::string shown = request.substr(0, request.find("\r\n"));
    EXPECT_EQ(a.status, status) << shown << "\n" << a.head;
    EXPECT_NE(a.head.find("X-Content-Type-Options: nosniff"), std::string::npos) << shown << "\n" << a.head;
    if (status != 200 || request.find("/health") != std::string::npos) {
      EXPECT_NE(a.body.find("\"Response\""), std::string::npos) << shown << ": not a JSON answer: " << a.body;
    }
  }
}

// The bytes a socket reads of one request are capped (body limit + header allowance); the
// memory path ends there too, so a request that runs past the cap (in many headers, each within
// cpp-httplib's 8 KiB, or in its body) gets the answer a client on a socket gets, instead of
// being read whole and answered.
TEST(ServerInMemory, ARequestIsCutAtTheWireByteCapAsOnASocket) {
  ServerOptions options;
  options.port = 0;
  options.max_body_bytes = 4096;
  Server server(options);
  server.set_model(two_class_model());
  const int port = server.bind();
  std::thread serving([&] { server.listen(); });
  const auto on_socket = [&](const std::string& request) {
    const int fd = testing::connect_loopback(port);
    testing::send_text(fd, request);
    const std::string answer = testing::read_until_closed(fd);
    close(fd);
    return answer;
  };

  const std::string png = png_bytes();
  const size_t cap = options.max_body_bytes + (size_t(1) << 20);  // server.cpp's kHeaderAllowance
  const auto padded_to = [&](size_t total) {  // a request of `total` bytes, padded in headers of 4 KiB
    std::string headers = "Connection: close\r\nContent-Type: application/octet-stream\r\n";
    while (post(headers, png).size() + 2 * 4096 < total) headers += "X-Pad: " + std::string(4096 - 9, 'p') + "\r\n";
    const size_t last = total - post(headers, png).size();
    return post(headers + "X-Pad: " + std::string(last - 9, 'p') + "\r\n", png);
  };
  const std::vector<std::pair<std::string, size_t>> cases = {
      {"all within the cap", cap}, {"the body's last byte past it", cap + 1}, {"headers past it", 2 * cap}};
  for (const auto& [what, total] : cases) {
    const std::string request = padded_to(total);
    EXPECT_EQ(request.size(), total);
    const Answer in_memory = parse_answer(server.answer(request)), socket = parse_answer(on_socket(request));
    EXPECT_EQ(in_memory.status, socket.status) << what << "\nin memory: " << in_memory.head << "\nsocket: " << socket.head;
    if (total == cap) {
      EXPECT_EQ(in_memory.status, 200) << in_memory.body;
    } else {
      EXPECT_NE(in_memory.status, 200) << what << ": answered as if read whole";
    }
  }
  server.stop();
  serving.join();
}

}  // namespace
}  // namespace blastscan
