// `blastscan serve` and `blastscan client` as users run them: the real binary on a free
// loopback port (--port 0, the port read from its log), a small seeded model written by the
// test, and shared blood-smear images. Covers the client's lines and summary, one log line per
// request, SIGTERM/SIGINT exiting 0 after answering a request in flight, and start-up errors.
#include <gtest/gtest.h>
#include <unistd.h>

#include <csignal>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include <opencv2/imgcodecs.hpp>

#include "base/file_io.h"
#include "common/child_process.h"
#include "common/paths.h"
#include "common/raw_http.h"
#include "common/smear_image.h"
#include "formats/graphdef.h"
#include "inception/random_model.h"

namespace blastscan {
namespace {

using namespace blastscan::testing;
namespace fs = std::filesystem;

size_t count_of(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

class ServeCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = scratch_dir();
    Model model = make_random_model("Conv2d_2a_3x3", 2, 23);
    model.classes = {"healthy", "ALL"};
    model.positive = {"ALL"};
    save_model(model, dir_ / "m.pb");
  }

  // Starts the server and waits until its model is ready; returns its port.
  int start_server(const std::vector<std::string>& extra = {}) {
    std::vector<std::string> argv = {blastscan_binary().string(), "serve", "--model", (dir_ / "m.pb").string(),
                                     "--port", "0", "--threads", "1"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    server_ = std::make_unique<ChildProcess>(argv, dir_ / "serve.log");
    const auto port = server_->wait_for_log(R"(listening on http://127\.0\.0\.1:([0-9]+)/)", std::chrono::seconds(60));
    EXPECT_TRUE(port) << server_->log_text();
    EXPECT_TRUE(server_->wait_for_log("model ready", std::chrono::seconds(60))) << server_->log_text();
    return port ? std::stoi(*port) : -1;
  }

  // Two shared images in class folders the model knows, and one file that is not an image.
  fs::path make_image_folder() {
    const fs::path images = dir_ / "images";
    fs::create_directories(images / "ALL");
    fs::create_directories(images / "healthy");
    const fs::path data = shared_dir() / "data" / "taleqani";
    fs::copy_file(data / "Pro" / "WBC-Malignant-Pro-001.jpg", images / "ALL" / "WBC-Malignant-Pro-001.jpg");
    fs::copy_file(data / "Benign" / "WBC-Benign-001.jpg", images / "healthy" / "WBC-Benign-001.jpg");
    return images;
  }

  std::string client(int port, const std::string& args, int& status) {
    std::string output;
    status = run_command(blastscan_binary().string() + " client --url http://127.0.0.1:" + std::to_string(port) + " " + args,
                         output);
    return output;
  }

  fs::path dir_;
  std::unique_ptr<ChildProcess> server_;
};

TEST_F(ServeCli, ClientPrintsALinePerImageAndTheSeedsSummaryAndTheServerLogsEachRequest) {
  const fs::path images = make_image_folder();
  const int port = start_server();
  int status = -1;
  std::string out = client(port, (images / "ALL").string() + " " + (images / "healthy").string(), status);
  EXPECT_EQ(status, 0) << out;
  EXPECT_EQ(count_of(out, "WBC-"), 2u) << out;
  EXPECT_TRUE(std::regex_search(out, std::regex(R"((correct|incorrect) +\S*WBC-Malignant-Pro-001\.jpg)"))) << out;
  EXPECT_TRUE(std::regex_search(out, std::regex(R"(2 classified \([0-2] ALL detected\), 0 errors)"))) << out;
  EXPECT_TRUE(std::regex_search(out, std::regex(R"([0-2] correct, [0-2] incorrect, [0-2] low confidence: \([0-2] correct, [0-2] incorrect\))")))
      << out;

  // A file that is not an image is reported with the server's reason, and the exit is non-zero.
  std::ofstream(images / "not_an_image.jpg") << "hello";
  out = client(port, images.string(), status);
  EXPECT_EQ(status, 2) << out;  // some images classified, some not: as classify
  EXPECT_TRUE(std::regex_search(out, std::regex(R"(error: .*not_an_image\.jpg: HTTP 400: .*not an image)"))) << out;
  EXPECT_TRUE(std::regex_search(out, std::regex(R"(2 classified \([0-2] ALL detected\), 1 errors)"))) << out;

  // The README's curl examples: the raw body, and multipart field `file`.
  const std::string cell = (images / "ALL" / "WBC-Malignant-Pro-001.jpg").string();
  const std::string url = "http://127.0.0.1:" + std::to_string(port) + "/Inference";
  EXPECT_EQ(run_command("curl -sS --data-binary @" + cell + " " + url, out), 0) << out;
  EXPECT_NE(out.find("\"Response\":\"OK\""), std::string::npos) << out;
  EXPECT_EQ(run_command("curl -sS -F file=@" + cell + " " + url, out), 0) << out;
  EXPECT_NE(out.find("\"Response\":\"OK\""), std::string::npos) << out;

  EXPECT_EQ(server_->stop(SIGTERM), 0) << server_->log_text();
  const std::string log = server_->log_text();
  EXPECT_EQ(count_of(log, "\"POST /Inference\""), 7u) << log;
  EXPECT_EQ(count_of(log, "\"GET /model\" 200"), 2u) << log;
}

// The probe that used to abort the server (exit 134), and log injection: the log keeps one
// line per request, with the client's bytes escaped.
TEST_F(ServeCli, HostilePathsAreAnsweredAndLoggedEscapedOnOneLine) {
  const int port = start_server();
  const std::vector<std::string> targets = {"/%ff", "/\xff", "/x%0d%0a127.0.0.1:1%20%22GET%20/forged%22%20200",
                                            "/nul%00byte", "/%1b[2J%1b[31mred"};
  for (const std::string& target : targets) {
    const int fd = connect_loopback(port);
    ASSERT_TRUE(send_text(fd, "GET " + target + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
    const std::string reply = read_until_closed(fd);
    close(fd);
    EXPECT_EQ(reply.rfind("HTTP/1.1 404", 0), 0u) << target << ": " << reply.substr(0, 200);
  }
  EXPECT_EQ(server_->stop(SIGTERM), 0) << server_->log_text();  // alive until told to stop
  const std::string log = server_->log_text();
  EXPECT_EQ(log.find('\0'), std::string::npos);
  EXPECT_EQ(log.find('\x1b'), std::string::npos);
  EXPECT_EQ(log.find('\r'), std::string::npos);
  EXPECT_EQ(log.find('\xff'), std::string::npos);
  std::istringstream lines(log);
  int request_lines = 0;
  for (std::string line; std::getline(lines, line);) {
    EXPECT_EQ(line.find("\"GET /forged\""), std::string::npos) << "a forged log line: " << line;
    request_lines += line.find("\"GET /") != std::string::npos;
  }
  EXPECT_EQ(request_lines, 5) << log;
  EXPECT_NE(log.find("\"GET /\\xff\" 404"), std::string::npos) << log;
  EXPECT_NE(log.find("\"GET /x\\r\\n127.0.0.1:1 \\\"GET /forged\\\" 200\" 404"), std::string::npos) << log;
  EXPECT_NE(log.find("\"GET /nul\\x00byte\" 404"), std::string::npos) << log;
}

TEST_F(ServeCli, SigtermAnswersTheRequestInFlightThenExitsZero) {
  const int port = start_server();
  const std::string jpg = read_text_file(shared_dir() / "models" / "fixtures" / "dog.jpg");
  const int fd = start_half_sent_inference(port, jpg, 1000);
  ASSERT_GE(fd, 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));  // lets the worker start on it
  kill(server_->pid(), SIGTERM);
  ASSERT_TRUE(server_->wait_for_log("SIGTERM: finishing requests in flight", std::chrono::seconds(30)));
  ASSERT_TRUE(send_text(fd, jpg.substr(1000)));
  const std::string reply = read_until_closed(fd);
  close(fd);
  EXPECT_EQ(reply.rfind("HTTP/1.1 200", 0), 0u) << reply.substr(0, 300);
  EXPECT_NE(reply.find("\"Response\":\"OK\""), std::string::npos);
  EXPECT_EQ(server_->wait(std::chrono::seconds(60)), 0) << server_->log_text();
}

// The server scans a slide-sized upload in tiles; the client prints its counts as classify does.
TEST_F(ServeCli, ClientPrintsTheTileCountsOfASlideSizedImage) {
  const int port = start_server();
  cv::Mat bgr;
  cv::cvtColor(smear_image({700, 420}, 300), bgr, cv::COLOR_RGB2BGR);
  ASSERT_TRUE(cv::imwrite((dir_ / "slide.png").string(), bgr));
  int status = -1;
  const std::string out = client(port, (dir_ / "slide.png").string(), status);
  EXPECT_EQ(status, 0) << out;
  EXPECT_TRUE(std::regex_search(out, std::regex(R"(slide\.png  6 tiles \([0-9] background, [0-9] classified, [0-9] ALL\), score [0-9.]+)")))
      << out;
}

TEST_F(ServeCli, SigintExitsZero) {
  start_server();
  EXPECT_EQ(server_->stop(SIGINT), 0) << server_->log_text();
  EXPECT_NE(server_->log_text().find("SIGINT"), std::string::npos);
}

TEST_F(ServeCli, StartUpErrorsNameTheProblemAndExit1) {
  std::string out;
  const std::string serve = blastscan_binary().string() + " serve --port 0 --model ";
  EXPECT_EQ(run_command(serve + (dir_ / "missing.pb").string(), out), 1) << out;
  EXPECT_NE(out.find("missing.pb"), std::string::npos) << out;

  Model backbone = make_random_model("Conv2d_1a_3x3", 0, 1);
  save_model(backbone, dir_ / "backbone" / "b.pb");
  EXPECT_EQ(run_command(serve + (dir_ / "backbone" / "b.pb").string(), out), 1) << out;
  EXPECT_NE(out.find("no classification head"), std::string::npos) << out;

  const int port = start_server();
  EXPECT_EQ(run_command(blastscan_binary().string() + " serve --model " + (dir_ / "m.pb").string() + " --port " +
                            std::to_string(port), out),
            1)
      << out;
  EXPECT_NE(out.find("cannot listen on 127.0.0.1:" + std::to_string(port)), std::string::npos) << out;
}

TEST_F(ServeCli, ClientWithoutAServerSaysSoAndExits1) {
  int status = -1;
  const std::string out = client(free_tcp_port(), (shared_dir() / "models" / "fixtures" / "dog.jpg").string(), status);
  EXPECT_EQ(status, 1) << out;
  EXPECT_NE(out.find("cannot reach http://127.0.0.1:"), std::string::npos) << out;
}

}  // namespace
}  // namespace blastscan
