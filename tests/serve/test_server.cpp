// The server over real HTTP on a free loopback port, in process: every endpoint, every error
// path (404, 405, 413, 400 for empty / non-image / truncated bodies, 503 while loading), slow
// clients, concurrent requests, and a drain that still answers a request in flight at stop().
// The answers are checked against a Predictor run directly on the same image.
#include <gtest/gtest.h>
#include <httplib.h>

#include <poll.h>
#include <unistd.h>

#include <atomic>
#include <future>
#include <regex>
#include <thread>

#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>

#include "common/raw_http.h"
#include "common/smear_image.h"
#include "data/image.h"
#include "inception/random_model.h"
#include "serve/server.h"

namespace blastscan {
namespace {

using nlohmann::json;
using namespace blastscan::testing;

Model two_class_model() {
  Model model = make_random_model("Conv2d_2a_3x3", 2, 17);
  model.classes = {"healthy", "ALL"};
  model.positive = {"ALL"};
  return model;
}

std::shared_ptr<ServedModel> served_model() {
  return std::make_shared<ServedModel>(two_class_model(), PredictorOptions{.threshold = 0.8f, .threads = 1}, "m.pb",
                                       "0123abcd");
}

// A synthetic smear-like picture (smooth gradient with a blob) encoded as .png or .jpg.
std::string encoded_image(const std::string& ext, int seed = 0) {
  cv::Mat bgr(96, 128, CV_8UC3);
  for (int y = 0; y < bgr.rows; ++y)
    for (int x = 0; x < bgr.cols; ++x)
      bgr.at<cv::Vec3b>(y, x) = cv::Vec3b(uchar(2 * x + seed), uchar(2 * y), uchar((x * y + 40 * seed) % 256));
  std::vector<uint8_t> bytes;
  cv::imencode(ext, bgr, bytes);
  return {bytes.begin(), bytes.end()};
}

// Runs a Server on a free port on its own thread for the life of the fixture.
class ServerTest : public ::testing::Test {
 protected:
  void start(ServerOptions options = {}, bool with_model = true) {
    options.port = 0;
    server_ = std::make_unique<Server>(options);
    port_ = server_->bind();
    if (with_model) server_->set_model(served_model());
    thread_ = std::thread([this] { server_->listen(); });
    client_ = std::make_unique<httplib::Client>("127.0.0.1", port_);
    client_->set_read_timeout(60);
  }
  void TearDown() override {
    if (server_) server_->stop();
    if (thread_.joinable()) thread_.join();
  }
  static json body_of(const httplib::Result& res) { return json::parse(res->body); }

  std::unique_ptr<Server> server_;
  std::thread thread_;
  int port_ = 0;
  std::unique_ptr<httplib::Client> client_;
};

// ---- endpoints

TEST_F(ServerTest, HealthAndInferenceAnswer503UntilTheModelIsSet) {
  start({}, /*with_model=*/false);
  auto health = client_->Get("/health");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 503);
  EXPECT_EQ(body_of(health)["Response"], "ERROR");
  auto inference = client_->Post("/Inference", encoded_image(".png"), "image/png");
  EXPECT_EQ(inference->status, 503);
  EXPECT_EQ(client_->Get("/model")->status, 503);
  EXPECT_EQ(client_->Get("/")->status, 200);  // the page loads and waits for the model

  server_->set_model(served_model());
  health = client_->Get("/health");
  EXPECT_EQ(health->status, 200);
  EXPECT_EQ(body_of(health)["Response"], "OK");
  EXPECT_EQ(body_of(health)["sha256"], "0123abcd");
}

TEST_F(ServerTest, ModelDescribesClassesThresholdAndHash) {
  start();
  auto res = client_->Get("/model");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->get_header_value("Content-Type"), "application/json");
  const json model = body_of(res);
  EXPECT_EQ(model["classes"], json({"healthy", "ALL"}));
  EXPECT_EQ(model["positive"], json({"ALL"}));
  EXPECT_FLOAT_EQ(model["threshold"].get<float>(), 0.8f);
  EXPECT_EQ(model["sha256"], "0123abcd");
  EXPECT_EQ(model["endpoint"], "Conv2d_2a_3x3");
}

TEST_F(ServerTest, WebPageIsSelfContained) {
  start();
  auto res = client_->Get("/");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_NE(res->get_header_value("Content-Type").find("text/html"), std::string::npos);
  EXPECT_NE(res->body.find("<input id=\"file\" type=\"file\""), std::string::npos);
  EXPECT_NE(res->body.find("/Inference"), std::string::npos);
  // Nothing is fetched from elsewhere: no absolute URLs in the page, and a policy that forbids them.
  EXPECT_FALSE(std::regex_search(res->body, std::regex(R"((src|href)\s*=\s*["']?(https?:)?//)")));
  EXPECT_NE(res->get_header_value("Content-Security-Policy").find("default-src 'none'"), std::string::npos);
}

// The seed's client posts PNG bytes labelled image/jpeg: decoding goes by the bytes.
TEST_F(ServerTest, InferenceOnARawBodyMatchesThePredictorAndUsesTheSeedsFields) {
  start();
  const std::string png = encoded_image(".png");
  auto res = client_->Post("/Inference", png, "image/jpeg");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  const json answer = body_of(res);

  Predictor direct(two_class_model(), {.threshold = 0.8f, .threads = 1});
  const Prediction expected =
      direct.predict(decode_image({reinterpret_cast<const uint8_t*>(png.data()), png.size()}, "png"));
  EXPECT_EQ(answer["Response"], "OK");
  EXPECT_EQ(answer["Classification"], expected.label);
  EXPECT_EQ(answer["label"], expected.label);
  EXPECT_EQ(answer["aClassification"], std::to_string(expected.class_id));
  EXPECT_NEAR(std::stof(answer["Confidence"].get<std::string>()), expected.confidence, 1e-6);
  EXPECT_NEAR(answer["probabilities"]["healthy"].get<float>(), expected.probabilities[0], 1e-6);
  EXPECT_NEAR(answer["probabilities"]["ALL"].get<float>(), expected.probabilities[1], 1e-6);
  EXPECT_EQ(answer["low_confidence"], expected.confidence < 0.8f);
  EXPECT_EQ(answer["all_detected"], expected.label == "ALL");
  EXPECT_GT(answer["time_ms"].get<double>(), 0.0);
  const std::string message = answer["Message"];
  EXPECT_TRUE(std::regex_match(message, std::regex(R"(ALL (not )?detected with a (LOW )?confidence of [0-9.e-]+ in [0-9]+\.[0-9]{3})")))
      << message;
  EXPECT_EQ(message.rfind(expected.label == "ALL" ? "ALL detected" : "ALL not detected", 0), 0u) << message;
}

// curl --data-binary labels bodies application/x-www-form-urlencoded; they are images all the same.
TEST_F(ServerTest, ABodyLabelledAsAFormIsStillAnImage) {
  start();
  const std::string png = encoded_image(".png");
  ASSERT_GT(png.size(), 8192u);  // above cpp-httplib's own limit for form bodies
  auto res = client_->Post("/Inference", png, "application/x-www-form-urlencoded");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200) << res->body;
}

TEST_F(ServerTest, MultipartFieldFileGivesTheSameAnswerAsTheRawBody) {
  start();
  const std::string jpg = encoded_image(".jpg", 3);
  auto raw = client_->Post("/Inference", jpg, "application/octet-stream");
  httplib::MultipartFormDataItems items = {{"file", jpg, "cells.jpg", "image/jpeg"}};
  auto multipart = client_->Post("/Inference", items);
  ASSERT_TRUE(raw && multipart);
  ASSERT_EQ(multipart->status, 200) << multipart->body;
  EXPECT_EQ(body_of(multipart)["Classification"], body_of(raw)["Classification"]);
  EXPECT_EQ(body_of(multipart)["probabilities"], body_of(raw)["probabilities"]);
}

// ---- bad requests: JSON errors naming the problem

TEST_F(ServerTest, BadBodiesAre400WithAReason) {
  start();
  const std::string png = encoded_image(".png");
  const struct {
    std::string body, content_type, expect_in_message;
  } cases[] = {
      {"", "image/png", "empty"},
      {"this is not an image", "image/jpeg", "request body"},
      {png.substr(0, png.size() / 2), "image/png", "request body"},  // truncated
  };
  for (const auto& c : cases) {
    auto res = client_->Post("/Inference", c.body, c.content_type);
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 400) << c.expect_in_message;
    const json answer = body_of(res);
    EXPECT_EQ(answer["Response"], "ERROR");
    EXPECT_NE(answer["Message"].get<std::string>().find(c.expect_in_message), std::string::npos) << answer["Message"];
  }
  httplib::MultipartFormDataItems wrong_field = {{"image", png, "a.png", "image/png"}};
  auto res = client_->Post("/Inference", wrong_field);
  EXPECT_EQ(res->status, 400);
  EXPECT_NE(body_of(res)["Message"].get<std::string>().find("'file'"), std::string::npos);
}

TEST_F(ServerTest, BodiesOverTheLimitAre413) {
  ServerOptions options;
  options.max_body_bytes = 64 * 1024;
  start(options);
  auto res = client_->Post("/Inference", std::string(200 * 1024, 'x'), "image/jpeg");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 413);
  EXPECT_EQ(body_of(res)["Response"], "ERROR");
  EXPECT_NE(body_of(res)["Message"].get<std::string>().find("65536"), std::string::npos);
  // A small image still goes through on the next request.
  EXPECT_EQ(client_->Post("/Inference", encoded_image(".png"), "image/png")->status, 200);
}

TEST_F(ServerTest, WrongMethodIs405AndUnknownPathIs404) {
  start();
  auto get_inference = client_->Get("/Inference");
  ASSERT_TRUE(get_inference);
  EXPECT_EQ(get_inference->status, 405);
  EXPECT_EQ(get_inference->get_header_value("Allow"), "POST");
  EXPECT_EQ(body_of(get_inference)["Response"], "ERROR");
  EXPECT_EQ(client_->Delete("/model")->status, 405);
  EXPECT_EQ(client_->Put("/health", "", "text/plain")->status, 405);
  auto missing = client_->Get("/predict");
  EXPECT_EQ(missing->status, 404);
  EXPECT_NE(body_of(missing)["Message"].get<std::string>().find("/predict"), std::string::npos);
}

// ---- any bytes in a request: the server answers and survives (one request used to abort it)

// Sends one raw request on a fresh connection and returns the whole reply.
std::string raw_exchange(int port, const std::string& request) {
  const int fd = connect_loopback(port);
  send_text(fd, request);
  std::string reply = read_until_closed(fd);
  close(fd);
  return reply;
}

TEST_F(ServerTest, PathsThatAreNotUtf8Get404AsValidJson) {
  start();
  for (const std::string target : {"/%ff", "/\xff\xfe", "/%c0%af", "/Inference%ff", "/%00x"}) {
    const std::string reply = raw_exchange(port_, "GET " + target + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    ASSERT_EQ(reply.rfind("HTTP/1.1 404", 0), 0u) << target << ": " << reply.substr(0, 200);
    const json answer = json::parse(reply.substr(reply.find("\r\n\r\n") + 4));  // valid UTF-8 JSON
    EXPECT_EQ(answer["Response"], "ERROR");
    EXPECT_NE(answer["Message"].get<std::string>().find("no endpoint GET /"), std::string::npos);
  }
  EXPECT_EQ(client_->Get("/health")->status, 200);  // still serving
}

// A request cpp-httplib refuses before a route reads it (a header over its 8 KiB, a GET with a
// body to no route) is answered once and its connection closes: on keep-alive, the rest of its
// bytes (here a body holding a request) was read as the next request once more bytes came.
TEST_F(ServerTest, ARefusedRequestIsAnsweredOnceAndItsRestIsNeverReadAsARequest) {
  start();
  const std::string smuggled = "GET /health HTTP/1.1\r\nHost: x\r\n\r\n";
  const std::string length = "Content-Length: " + std::to_string(smuggled.size()) + "\r\n\r\n";
  for (const std::string& refused :
       {"POST /Inference HTTP/1.1\r\nHost: x\r\nX-Long: " + std::string(9000, 'p') + "\r\n" + length + smuggled,
        "GET /nothing HTTP/1.1\r\nHost: x\r\n" + length + smuggled}) {
    const int fd = connect_loopback(port_);
    send_text(fd, refused);
    std::this_thread::sleep_for(std::chrono::milliseconds(200));  // the answer is out; then more bytes
    send_text(fd, "GET /model HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    const std::string reply = read_until_closed(fd);
    close(fd);
    const std::string shown = refused.substr(0, refused.find("\r\n"));
    EXPECT_EQ(reply.rfind("HTTP/1.1 4", 0), 0u) << shown << ": " << reply.substr(0, 300);
    EXPECT_EQ(reply.find("HTTP/1.1 ", 1), std::string::npos) << shown << ": more than one answer:\n" << reply;
  }
  EXPECT_EQ(client_->Get("/health")->status, 200);  // still serving
}

// Requests pipelined in one send are all answered (the next one was left in the read buffer
// while the server waited on the socket for bytes that had already come, until it gave up).
TEST_F(ServerTest, PipelinedRequestsAreAllAnswered) {
  start();
  const int fd = connect_loopback(port_);
  send_text(fd, "GET /health HTTP/1.1\r\nHost: x\r\n\r\nGET /model HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  const std::string reply = read_until_closed(fd);  // before: the idle wait ended, the connection closed
  close(fd);
  EXPECT_EQ(reply.rfind("HTTP/1.1 200", 0), 0u) << reply.substr(0, 300);
  EXPECT_NE(reply.find("HTTP/1.1 200", 1), std::string::npos) << "the second request went unanswered:\n" << reply;
  EXPECT_NE(reply.find("\"classes\""), std::string::npos) << reply;
}

TEST_F(ServerTest, AMultipartFileNameThatIsNotUtf8IsNamedInAValidJsonError) {
  start();
  httplib::MultipartFormDataItems items = {{"file", "not an image", "\xff\xfe.jpg", "image/jpeg"}};
  auto res = client_->Post("/Inference", items);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400);
  EXPECT_NE(body_of(res)["Message"].get<std::string>().find("field 'file'"), std::string::npos);
  EXPECT_EQ(client_->Get("/health")->status, 200);
}

// ---- limits on clients, concurrency, and the drain on stop

TEST_F(ServerTest, AClientThatStallsMidRequestIsDropped) {
  ServerOptions options;
  options.read_timeout_seconds = 1;
  start(options);
  const int fd = connect_loopback(port_);
  ASSERT_TRUE(send_text(fd, "POST /Inference HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\nonly a few bytes"));
  const std::string reply = read_until_closed(fd);  // returns once the server gives up on us
  close(fd);
  EXPECT_TRUE(reply.empty() || reply.find("HTTP/1.1 4") == 0) << reply;
  EXPECT_EQ(client_->Get("/health")->status, 200);  // and it still serves others
}

// ---- memory: the limit holds on the body as decoded, and a refused body is not read further

TEST_F(ServerTest, AGzipBodyThatInflatesPastTheLimitIs413) {
  ServerOptions options;
  options.max_body_bytes = 1 << 20;
  start(options);
  httplib::Client gzip_client("127.0.0.1", port_);
  gzip_client.set_compress(true);  // sends Content-Encoding: gzip; 16 MiB of zeros are ~16 KiB
  auto res = gzip_client.Post("/Inference", std::string(16 << 20, '\0'), "application/octet-stream");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 413) << res->body;
  EXPECT_NE(body_of(res)["Message"].get<std::string>().find("1048576"), std::string::npos);
  // Within the limit, gzip is still accepted.
  auto small = gzip_client.Post("/Inference", encoded_image(".png"), "image/png");
  ASSERT_TRUE(small);
  EXPECT_EQ(small->status, 200) << small->body;
}

TEST_F(ServerTest, AChunkedBodyOverTheLimitIs413AndTheConnectionCloses) {
  ServerOptions options;
  options.max_body_bytes = 64 * 1024;
  start(options);
  const int fd = connect_loopback(port_);
  ASSERT_TRUE(send_text(fd, "POST /Inference HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"));
  const std::string chunk = "4000\r\n" + std::string(0x4000, 'x') + "\r\n";  // 16 KiB each
  for (int i = 0; i < 6; ++i) send_text(fd, chunk);  // 96 KiB, and no last chunk: it never ends
  const std::string reply = read_until_closed(fd);  // the server closes without waiting for more
  close(fd);
  EXPECT_EQ(reply.rfind("HTTP/1.1 413", 0), 0u) << reply.substr(0, 300);
  EXPECT_NE(reply.find("65536"), std::string::npos) << reply.substr(0, 300);
  // Any other path: the body is not read at all (cpp-httplib would have inflated it into memory).
  httplib::Client gzip_client("127.0.0.1", port_);
  gzip_client.set_compress(true);
  auto elsewhere = gzip_client.Post("/upload", std::string(16 << 20, '\0'), "application/octet-stream");
  ASSERT_TRUE(elsewhere);
  EXPECT_EQ(elsewhere->status, 404);
}

// Requests in flight share one memory budget: the decoder's size of an image (from its header,
// before decoding) and bodies as they arrive. Past it: 503 with Retry-After, not an OOM kill.
TEST_F(ServerTest, RequestsPastTheMemoryBudgetAre503AndSmallerOnesStillPass) {
  ServerOptions options;
  options.max_memory_bytes = 16 << 20;
  start(options);
  std::vector<uint8_t> big;  // 3000x3000 RGB: 27 MB decoded from a few kB of PNG
  cv::imencode(".png", cv::Mat(3000, 3000, CV_8UC3, cv::Scalar(40, 90, 200)), big);
  ASSERT_LT(big.size(), 1u << 20);
  auto res = client_->Post("/Inference", std::string(big.begin(), big.end()), "image/png");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 503) << res->body;
  EXPECT_EQ(res->get_header_value("Retry-After"), "1");
  EXPECT_NE(body_of(res)["Message"].get<std::string>().find("memory limit of 16 MiB"), std::string::npos);
  // A body just past it: the server stops reading at the budget and drains what is still on its
  // way (1 MiB at most) before closing. A client that pushes far more before it reads an answer
  // gets a reset instead, as it would from nginx: that case is not what this test is about.
  auto body = client_->Post("/Inference", std::string((16 << 20) + (512 << 10), 'x'), "image/jpeg");
  ASSERT_TRUE(body);
  EXPECT_EQ(body->status, 503) << body->body;
  httplib::Client fresh("127.0.0.1", port_);
  auto small = fresh.Post("/Inference", encoded_image(".png"), "image/png");  // the budget was given back
  ASSERT_TRUE(small);
  EXPECT_EQ(small->status, 200) << small->body;
}

// ---- slow clients: a deadline for the whole request, and they never starve the others

// Sends a request's first line, then one header byte every 100 ms until stopped: a slowloris.
class SlowClient {
 public:
  explicit SlowClient(int port) : fd_(connect_loopback(port)) {
    send_text(fd_, "GET /health HTTP/1.1\r\nHost: x\r\n");
    thread_ = std::thread([this] {
      while (!stop_ && send_text(fd_, "X")) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    });
  }
  ~SlowClient() {
    stop_ = true;
    thread_.join();
    close(fd_);
  }
  // What the server sent before closing (it closes once the request's deadline has passed).
  std::string reply() { return read_until_closed(fd_); }

 private:
  int fd_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

TEST_F(ServerTest, ARequestThatTricklesInIsCutOffAtItsDeadlineWith408) {
  ServerOptions options;
  options.request_timeout_seconds = 1;
  start(options);
  SlowClient slow(port_);  // every read succeeds within the read timeout; the whole never arrives
  const std::string reply = slow.reply();
  EXPECT_EQ(reply.rfind("HTTP/1.1 408", 0), 0u) << reply.substr(0, 300);
  EXPECT_NE(reply.find("within 1 s"), std::string::npos) << reply.substr(0, 300);
}

TEST_F(ServerTest, SlowClientsBeyondTheWorkerCountDoNotStarveOthers) {
  ServerOptions options;
  options.workers = 2;
  options.max_connections = 8;
  options.keep_alive_seconds = 30;
  start(options);
  std::vector<std::unique_ptr<SlowClient>> slow;
  for (int i = 0; i < 6; ++i) slow.push_back(std::make_unique<SlowClient>(port_));  // 3x the workers
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  client_->set_read_timeout(20);  // before: every worker held by a slow client, this waited forever
  auto health = client_->Get("/health");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  auto inference = client_->Post("/Inference", encoded_image(".png"), "image/png");
  ASSERT_TRUE(inference);
  EXPECT_EQ(inference->status, 200);
  // Past the connection limit a new connection is told so at once, instead of queueing. Idle
  // connections hold their slot for the keep-alive time (30 s here): open them until one is refused.
  std::vector<int> idle;
  std::string reply;
  for (int i = 0; i < 12 && reply.empty(); ++i) {
    idle.push_back(connect_loopback(port_));
    pollfd p{idle.back(), POLLIN, 0};
    if (poll(&p, 1, 500) == 1) reply = read_until_closed(idle.back());
  }
  for (int fd : idle) close(fd);
  EXPECT_EQ(reply.rfind("HTTP/1.1 503", 0), 0u) << reply.substr(0, 300);
  EXPECT_NE(reply.find("connection limit"), std::string::npos) << reply.substr(0, 300);
}

TEST_F(ServerTest, ConcurrentRequestsAllGetTheirOwnAnswer) {
  ServerOptions options;
  options.workers = 4;
  start(options);
  const std::string images[2] = {encoded_image(".png", 1), encoded_image(".png", 7)};
  const json expected[2] = {body_of(client_->Post("/Inference", images[0], "image/png"))["probabilities"],
                            body_of(client_->Post("/Inference", images[1], "image/png"))["probabilities"]};
  std::vector<std::future<bool>> results;
  for (int t = 0; t < 8; ++t)
    results.push_back(std::async(std::launch::async, [&, t] {
      httplib::Client client("127.0.0.1", port_);
      client.set_read_timeout(120);
      bool all_right = true;
      for (int i = 0; i < 3; ++i) {
        auto res = client.Post("/Inference", images[(t + i) % 2], "image/png");
        all_right = all_right && res && res->status == 200 && body_of(res)["probabilities"] == expected[(t + i) % 2];
      }
      return all_right;
    }));
  for (auto& r : results) EXPECT_TRUE(r.get());
}

// ---- whole slides and class activation maps

// An ALL-IDB1-sized photo (2592x1944, 15 MB decoded) as the seed's client would send it: the
// answer is the slide's, with the seed's fields and the tile list.
TEST_F(ServerTest, ASlideSizedUploadIsScannedInTilesAndExplainAddsAMapToOrdinaryImages) {
  start();
  std::vector<uint8_t> jpeg;
  cv::Mat bgr;
  cv::cvtColor(smear_image({2592, 1944}, 1200), bgr, cv::COLOR_RGB2BGR);
  ASSERT_TRUE(cv::imencode(".jpg", bgr, jpeg, {cv::IMWRITE_JPEG_QUALITY, 90}));
  auto res = client_->Post("/Inference", std::string(jpeg.begin(), jpeg.end()), "image/jpeg");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  const json slide_answer = body_of(res);
  EXPECT_EQ(slide_answer["Response"], "OK");
  EXPECT_TRUE(std::regex_match(slide_answer["Message"].get<std::string>(),
                               std::regex(R"(ALL (not )?detected with a (LOW )?confidence of [0-9.e-]+ in [0-9]+\.[0-9]{3})")))
      << slide_answer["Message"];
  const json& counts = slide_answer["slide"]["tile_counts"];
  EXPECT_EQ(counts["total"], 9 * 7);  // 299-pixel tiles at stride 299, the last row and column shifted in
  EXPECT_EQ(slide_answer["slide"]["tiles"].size(), 63u);
  EXPECT_GT(int(counts["background"]), 0);  // right of x = 1200 there are no cells
  EXPECT_GT(int(counts["classified"]), 0);
  EXPECT_FALSE(slide_answer.contains("cam"));

  const std::string png = encoded_image(".png");
  auto plain = client_->Post("/Inference", png, "image/png");
  auto explained = client_->Post("/Inference?explain=1", png, "image/png");
  ASSERT_TRUE(plain && explained);
  ASSERT_EQ(explained->status, 200) << explained->body;
  EXPECT_FALSE(body_of(plain).contains("cam"));
  EXPECT_FALSE(body_of(plain).contains("slide"));
  const json cam = body_of(explained)["cam"];
  EXPECT_EQ(cam["class"], body_of(plain)["Classification"]);
  EXPECT_EQ(cam["values"].size(), size_t(cam["width"]) * size_t(cam["height"]));
}

TEST_F(ServerTest, StopAnswersTheRequestInFlightThenListenReturns) {
  start();
  const std::string png = encoded_image(".png");
  // The request is in flight (part of its body sent) when stop() is called.
  const int fd = start_half_sent_inference(port_, png, 100);
  ASSERT_GE(fd, 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));  // lets the worker start on it
  server_->stop();
  ASSERT_TRUE(send_text(fd, png.substr(100)));
  const std::string reply = read_until_closed(fd);
  close(fd);
  EXPECT_EQ(reply.rfind("HTTP/1.1 200", 0), 0u) << reply.substr(0, 200);
  EXPECT_NE(reply.find("\"Response\":\"OK\""), std::string::npos);
  thread_.join();  // listen() has returned
  // No new connections after the drain.
  httplib::Client late("127.0.0.1", port_);
  late.set_connection_timeout(2);
  EXPECT_FALSE(late.Get("/health"));
}

}  // namespace
}  // namespace blastscan
