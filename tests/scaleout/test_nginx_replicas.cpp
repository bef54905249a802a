// Debian's nginx with deploy/nginx.conf (its ports rewritten to free ones, its prefix a
// temporary folder holding the pid file and logs) in front of two `blastscan serve` replicas
// on loopback. Two clients send images through nginx; one replica is killed by its pid
// mid-run; every request must still get the right answer. The replica is restarted and
// must rejoin (nginx's access log names the replica behind every answer). Waits are bounded.
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <mutex>
#include <regex>
#include <thread>

#include <nlohmann/json.hpp>

#include "base/file_io.h"
#include "cli/model_fixture.h"
#include "common/child_process.h"

namespace blastscan {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using testing::ChildProcess;

bool healthy(int port) {
  httplib::Client http("127.0.0.1", port);
  http.set_connection_timeout(1, 0);
  const auto res = http.Get("/health");
  return res && res->status == 200;
}

bool wait_until_healthy(int port, std::chrono::seconds limit = 60s) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (healthy(port)) return true;
    std::this_thread::sleep_for(50ms);
  }
  return false;
}

std::unique_ptr<ChildProcess> start_replica(int port, const fs::path& log) {
  return std::make_unique<ChildProcess>(
      std::vector<std::string>{testing::blastscan_binary().string(), "serve", "--model", testing::small_model_pb().string(),
                               "--port", std::to_string(port), "--threads", "1"},
      log);
}

// nginx from deploy/nginx.conf, daemonised as in production, stopped by the pid file in its prefix.
class Nginx {
 public:
  Nginx(const fs::path& prefix, int port, int replica_a, int replica_b) : prefix_(prefix) {
    std::string conf = read_text_file(testing::source_dir() / "deploy" / "nginx.conf");
    for (const auto& [from, to] : {std::pair{"127.0.0.1:8080", port}, {"127.0.0.1:8081", replica_a}, {"127.0.0.1:8082", replica_b}}) {
      const size_t at = conf.find(from);
      EXPECT_NE(at, std::string::npos) << from << " not in deploy/nginx.conf";
      if (at != std::string::npos) conf.replace(at, std::strlen(from), "127.0.0.1:" + std::to_string(to));
    }
    fs::create_directories(prefix_ / "logs");
    fs::create_directories(prefix_ / "temp");
    write_file_atomic(prefix_ / "nginx.conf", conf);
    std::string out;
    started_ = testing::run_command("timeout 30 nginx -p " + prefix_.string() + " -c " + (prefix_ / "nginx.conf").string() +
                                        " -e logs/error.log", out) == 0;
    EXPECT_TRUE(started_) << out;
  }
  ~Nginx() {
    std::string pid_text;
    try {
      pid_text = read_text_file(prefix_ / "logs" / "nginx.pid");
    } catch (const std::exception&) {
      return;  // never started
    }
    const pid_t pid = std::stoi(pid_text);
    kill(pid, SIGQUIT);  // graceful: finish what is in flight
    for (int i = 0; i < 100 && kill(pid, 0) == 0; ++i) std::this_thread::sleep_for(100ms);
    EXPECT_NE(kill(pid, 0), 0) << "nginx " << pid << " did not stop";
    if (kill(pid, 0) == 0) kill(pid, SIGKILL);
  }
  bool started() const { return started_; }
  std::string access_log() const { return read_text_file(prefix_ / "logs" / "access.log"); }

 private:
  fs::path prefix_;
  bool started_ = false;
};

// The answer that matters: class and probabilities (time_ms and Message carry timings).
std::string verdict(const std::string& body) {
  const auto j = nlohmann::json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.contains("probabilities")) return "not an answer: " + body.substr(0, 200);
  return j.value("Classification", "") + " " + j["probabilities"].dump();
}

struct Tally {
  std::mutex mutex;
  int answered = 0, wrong = 0;
  std::vector<std::string> failures;
};

// Sends the image through nginx until `stop`, checking every answer against `expected`.
void client_loop(int port, const std::string& image, const std::string& expected, const std::atomic<bool>& stop,
                 Tally& tally) {
  httplib::Client http("127.0.0.1", port);
  http.set_read_timeout(60, 0);
  while (!stop) {
    const auto res = http.Post("/Inference", image, "application/octet-stream");
    std::lock_guard lock(tally.mutex);
    ++tally.answered;
    if (!res || res->status != 200 || verdict(res->body) != expected) {
      ++tally.wrong;
      if (tally.failures.size() < 5)
        tally.failures.push_back(res ? std::to_string(res->status) + " " + res->body.substr(0, 200)
                                     : "no answer: " + httplib::to_string(res.error()));
    }
  }
}

// Count of access-log lines whose final upstream is this replica.
int answered_by(const std::string& access_log, int port) {
  const std::regex last_upstream("upstream=(?:[0-9.:]+, )*127\\.0\\.0\\.1:" + std::to_string(port) + " ");
  return int(std::distance(std::sregex_iterator(access_log.begin(), access_log.end(), last_upstream), std::sregex_iterator()));
}

TEST(NginxReplicas, EveryRequestIsAnsweredWhileAReplicaDiesAndItRejoins) {
  if (geteuid() != 0) GTEST_SKIP() << "nginx's workers switch user: run as root";
  const fs::path dir = testing::scratch_dir();
  const int port_a = testing::free_tcp_port(), port_b = testing::free_tcp_port(), port = testing::free_tcp_port();
  auto a = start_replica(port_a, dir / "a.log");
  auto b = start_replica(port_b, dir / "b.log");
  // Each replica's own /health first: nginx must not be what tells us they are up.
  ASSERT_TRUE(wait_until_healthy(port_a)) << a->log_text();
  ASSERT_TRUE(wait_until_healthy(port_b)) << b->log_text();
  Nginx nginx(dir / "nginx", port, port_a, port_b);
  ASSERT_TRUE(nginx.started());

  const auto bytes = read_file(testing::shared_dir() / "data" / "all_idb2_lowres" / "Im001_1.jpg");
  const std::string image(bytes.begin(), bytes.end());
  httplib::Client direct("127.0.0.1", port_a);
  const auto reference = direct.Post("/Inference", image, "application/octet-stream");
  ASSERT_TRUE(reference && reference->status == 200);
  const std::string expected = verdict(reference->body);

  Tally tally;
  std::atomic<bool> stop{false};
  std::vector<std::thread> clients;
  for (int i = 0; i < 2; ++i) clients.emplace_back(client_loop, port, image, expected, std::cref(stop), std::ref(tally));
  const auto wait_for_answers = [&](int n) {
    for (int i = 0; i < 600; ++i) {
      {
        std::lock_guard lock(tally.mutex);
        if (tally.answered >= n) return true;
      }
      std::this_thread::sleep_for(50ms);
    }
    return false;
  };
  EXPECT_TRUE(wait_for_answers(30));
  EXPECT_EQ(a->stop(SIGKILL), 128 + SIGKILL);  // mid-run, requests in flight
  int before_kill = 0;
  {
    std::lock_guard lock(tally.mutex);
    before_kill = tally.answered;
  }
  EXPECT_TRUE(wait_for_answers(before_kill + 60));
  // Restarted on its port, it rejoins once nginx tries it again (fail_timeout 5 s).
  const size_t log_at_restart = nginx.access_log().size();
  a = start_replica(port_a, dir / "a-restarted.log");
  ASSERT_TRUE(wait_until_healthy(port_a)) << a->log_text();
  bool rejoined = false;
  for (int i = 0; i < 300 && !rejoined; ++i) {
    std::this_thread::sleep_for(100ms);
    rejoined = answered_by(nginx.access_log().substr(log_at_restart), port_a) > 0;
  }
  stop = true;
  for (auto& c : clients) c.join();

  EXPECT_TRUE(rejoined) << "the restarted replica answered nothing through nginx in 30 s";
  EXPECT_EQ(tally.wrong, 0) << tally.wrong << " of " << tally.answered << " failed, e.g. "
                            << (tally.failures.empty() ? "" : tally.failures.front());
  // nginx writes a request's log line after the answer is sent, so a client can count an answer
  // whose line is not in the file yet: wait (bounded) for the log to catch up.
  const auto lines = [](const std::string& text) { return std::count(text.begin(), text.end(), '\n'); };
  for (int i = 0; i < 50 && lines(nginx.access_log()) < tally.answered; ++i) std::this_thread::sleep_for(100ms);
  const std::string log = nginx.access_log();
  // The kill was felt: at least one request failed on the dead replica and was sent on.
  EXPECT_NE(log.find("upstream=127.0.0.1:" + std::to_string(port_a) + ", 127.0.0.1:" + std::to_string(port_b)),
            std::string::npos)
      << log.substr(0, 2000);
  EXPECT_GT(answered_by(log, port_a), 0);
  EXPECT_GT(answered_by(log, port_b), 0);
  // Every request of the run is in nginx's log (one line per client request). Not equality: under
  // load a run also showed one line more than the clients counted (152 for 151), a request nginx
  // logged that no client saw answered; every answer the clients did see is checked above.
  EXPECT_GE(lines(log), tally.answered) << log.substr(0, 2000);
  EXPECT_EQ(a->stop(SIGTERM), 0);
  EXPECT_EQ(b->stop(SIGTERM), 0);
}

}  // namespace
}  // namespace blastscan
