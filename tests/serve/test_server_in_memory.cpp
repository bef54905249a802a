// The server's whole request path driven from memory (Server::answer, the fuzzer's way in):
// well-formed and malformed requests alike get a status line, a JSON or HTML body, and
// X-Content-Type-Options: nosniff (so no answer is ever sniffed as HTML by a browser).
#include <gtest/gtest.h>

#include <opencv2/imgcodecs.hpp>

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

TEST(ServerInMemory, EveryAnswerHasAStatusAndNosniff) {
  Model model = make_random_model("Conv2d_1a_3x3", 2, 3);
  model.classes = {"healthy", "ALL"};
  model.positive = {"ALL"};
  ServerOptions options;
  options.max_body_bytes = 4096;
  Server server(options);
  server.set_model(std::make_shared<ServedModel>(std::move(model), PredictorOptions{.threads = 1}, "m.pb", "sha"));
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

}  // namespace
}  // namespace blastscan
