// The web page in a real browser: Debian's headless Chromium, driven over WebDriver (plain
// HTTP + JSON to chromedriver, so no test framework from outside the distribution) against
// the server on a loopback port. Chromium gets no network: every host name except 127.0.0.1
// fails to resolve, and background services are off; chromedriver talks to it over a pipe, so
// no name needs to resolve (a machine without /etc/hosts has no "localhost"). The first test
// uploads a shared blood-smear image, checks the class the page shows against a Predictor run
// directly on the same file, checks one bar per class and the LOW warning, saves a screenshot
// as an artifact (<build>/test-scratch/WebPage.*/web_page.png), then shows an error for a file
// that is no image; it runs again with an empty /etc/hosts.
#include <gtest/gtest.h>
#include <httplib.h>
#include <openssl/evp.h>

#include <algorithm>
#include <csignal>
#include <fstream>
#include <iostream>
#include <thread>

#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>

#include "base/file_io.h"
#include "common/child_process.h"
#include "common/paths.h"
#include "common/smear_image.h"
#include "data/image.h"
#include "formats/graphdef.h"
#include "inception/random_model.h"
#include "predict/slide_scan.h"
#include "serve/server.h"

namespace blastscan {
namespace {

using nlohmann::json;
using namespace blastscan::testing;
namespace fs = std::filesystem;

const fs::path kChromium = "/usr/bin/chromium";
const fs::path kChromedriver = "/usr/bin/chromedriver";
constexpr const char* kElementKey = "element-6066-11e4-a52e-4f735466cecf";  // W3C WebDriver

struct BrowserOptions {
  fs::path chromium = kChromium;  // the browser binary chromedriver starts
};

// A W3C WebDriver session on a chromedriver child process. When no session starts, the
// exception carries chromedriver's log (its INFO level: the browser's command line, the
// DevTools connection), which says why.
class Browser {
 public:
  explicit Browser(const fs::path& dir, const BrowserOptions& options = {}) {
    const int port = free_tcp_port();
    const fs::path log = dir / "chromedriver.log";
    driver_ = std::make_unique<ChildProcess>(
        std::vector<std::string>{kChromedriver.string(), "--port=" + std::to_string(port), "--log-level=INFO"}, log);
    try {
      if (!driver_->wait_for_log("started successfully", std::chrono::seconds(60)))
        throw std::runtime_error("chromedriver did not start");
      http_ = std::make_unique<httplib::Client>("127.0.0.1", port);
      http_->set_read_timeout(120);
      // DevTools over a pipe, not a TCP port chromedriver reaches by the name "localhost": a
      // machine without /etc/hosts cannot resolve it ("unable to connect to renderer").
      const json args = {"--remote-debugging-pipe", "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                         "--disable-background-networking", "--disable-component-update", "--disable-sync",
                         "--disable-quic", "--no-first-run", "--window-size=1200,900",
                         "--user-data-dir=" + (dir / "chromium-profile").string(),
                         // No network: names other than the loopback address do not resolve.
                         "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"};
      const json caps = {
          {"capabilities",
           {{"alwaysMatch", {{"browserName", "chrome"},
                             {"goog:chromeOptions", {{"binary", options.chromium.string()}, {"args", args}}}}}}}};
      session_ = call("POST", "/session", caps).at("sessionId");
    } catch (const std::exception& e) {
      throw std::runtime_error(std::string(e.what()) + "\n---- chromedriver log (" + log.string() + ")\n" +
                               driver_->log_text());
    }
  }
  ~Browser() {
    if (!session_.empty()) http_->Delete("/session/" + session_);
    driver_->stop(SIGTERM);
  }

  json call(const std::string& method, const std::string& path, const json& body = json::object()) {
    const auto res = method == "GET" ? http_->Get(path) : http_->Post(path, body.dump(), "application/json");
    if (!res) throw std::runtime_error("chromedriver unreachable: " + path);
    const json answer = json::parse(res->body);
    if (res->status != 200) throw std::runtime_error("WebDriver " + path + ": " + res->body);
    return answer.at("value");
  }
  json in_session(const std::string& method, const std::string& path, const json& body = json::object()) {
    return call(method, "/session/" + session_ + path, body);
  }
  void open(const std::string& url) { in_session("POST", "/url", {{"url", url}}); }
  json script(const std::string& js) { return in_session("POST", "/execute/sync", {{"script", js}, {"args", json::array()}}); }
  std::string element(const std::string& css) {
    return in_session("POST", "/element", {{"using", "css selector"}, {"value", css}}).at(kElementKey);
  }
  void click(const std::string& css) { in_session("POST", "/element/" + element(css) + "/click"); }
  void choose_file(const std::string& css, const fs::path& file) {
    in_session("POST", "/element/" + element(css) + "/value", {{"text", fs::absolute(file).string()}});
  }
  // Polls a JS expression until it is true; a hang guard, not a timing assertion.
  bool wait_until(const std::string& js_condition) {
    for (int i = 0; i < 600; ++i) {
      if (script("return !!(" + js_condition + ");").get<bool>()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
  }
  std::vector<uint8_t> screenshot_png() {
    const std::string b64 = in_session("GET", "/screenshot");
    std::vector<uint8_t> png(b64.size());
    const int n = EVP_DecodeBlock(png.data(), reinterpret_cast<const unsigned char*>(b64.data()), int(b64.size()));
    png.resize(size_t(std::max(n, 0)) - std::count(b64.end() - 2, b64.end(), '='));  // EVP pads with zeros
    return png;
  }

 private:
  std::unique_ptr<ChildProcess> driver_;
  std::unique_ptr<httplib::Client> http_;
  std::string session_;
};

// The server on a loopback port serving `model` from its own thread; stopped and joined however
// the test ends (a failed assertion returns early, a script that ran makes WebDriver calls throw).
class LoopbackServer {
 public:
  LoopbackServer(const Model& model, const PredictorOptions& options) : server_(ServerOptions{.port = 0}) {
    port_ = server_.bind();
    server_.set_model(std::make_shared<ServedModel>(model, options, "m.pb", "sha"));
    thread_ = std::thread([this] { server_.listen(); });
  }
  ~LoopbackServer() {
    server_.stop();
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/"; }

 private:
  Server server_;
  int port_ = 0;
  std::thread thread_;
};

Model two_class_model() {
  Model model = make_random_model("Conv2d_2a_3x3", 2, 5);
  model.classes = {"healthy", "ALL"};
  model.positive = {"ALL"};
  return model;
}

TEST(WebPage, ShowsTheClassBarsAndWarningForAnUploadedImageWithoutNetwork) {
  if (!fs::exists(kChromium) || !fs::exists(kChromedriver))
    GTEST_SKIP() << "needs Debian's chromium and chromium-driver (scripts/setup.sh installs them)";
  const fs::path dir = scratch_dir();
  const fs::path image = shared_dir() / "data" / "taleqani" / "Pro" / "WBC-Malignant-Pro-001.jpg";
  // A threshold this high makes the answer LOW, so the warning is on the page (and in the screenshot).
  const PredictorOptions options{.threshold = 0.999f, .threads = 1};
  const Prediction expected = Predictor(two_class_model(), options).predict(load_image(image));
  ASSERT_TRUE(expected.low_confidence) << expected.confidence;

  const LoopbackServer server(two_class_model(), options);
  {
    Browser browser(dir);
    browser.open(server.url());
    ASSERT_TRUE(browser.wait_until("document.getElementById('model').textContent.includes('healthy, ALL')"))
        << browser.script("return document.getElementById('model').textContent;");

    browser.choose_file("#file", image);
    ASSERT_TRUE(browser.wait_until("['done', 'error'].includes(document.body.dataset.state)"));
    EXPECT_EQ(browser.script("return document.body.dataset.state;"), "done")
        << browser.script("return document.getElementById('error').textContent;");
    EXPECT_EQ(browser.script("return document.getElementById('result-class').textContent;"), expected.label);
    EXPECT_EQ(browser.script("return document.getElementById('verdict').textContent;"),
              expected.positive ? "ALL detected" : "ALL not detected");
    EXPECT_EQ(browser.script("return document.querySelectorAll('#bars .bar').length;"), 2);
    EXPECT_EQ(browser.script("return document.querySelector('#bars .bar.top').dataset.class;"), expected.label);
    EXPECT_EQ(browser.script("return getComputedStyle(document.getElementById('low')).display;"), "block");
    EXPECT_EQ(browser.script("return document.getElementById('preview').naturalWidth;"), 224);  // the image is shown

    const std::vector<uint8_t> png = browser.screenshot_png();
    ASSERT_GT(png.size(), 8u);
    EXPECT_EQ(std::string(png.begin() + 1, png.begin() + 4), "PNG");
    write_file_atomic(dir / "web_page.png", png);
    std::cout << "screenshot: " << (dir / "web_page.png").string() << "\n";

    // A file that is not an image: the server's reason is shown.
    std::ofstream(dir / "notes.jpg") << "not an image";
    browser.choose_file("#file", dir / "notes.jpg");
    ASSERT_TRUE(browser.wait_until("document.body.dataset.state === 'error'"));
    EXPECT_NE(browser.script("return document.getElementById('error').textContent;").get<std::string>().find("not an image"),
              std::string::npos);
  }
}

// The failure this helper had: chromedriver up, but no browser session (here: no browser
// binary; on a machine without /etc/hosts, a browser chromedriver could not reach), while
// the server's thread runs. The test must fail with the reason and chromedriver's log, not end
// in std::terminate from a joinable thread.
TEST(WebPage, ABrowserThatCannotStartFailsWithChromedriversLog) {
  if (!fs::exists(kChromedriver)) GTEST_SKIP() << "needs Debian's chromium-driver (scripts/setup.sh installs it)";
  const fs::path dir = scratch_dir();
  const LoopbackServer server(two_class_model(), PredictorOptions{.threads = 1});
  try {
    Browser browser(dir, {.chromium = dir / "no-such-browser"});
    FAIL() << "a WebDriver session started without a browser";
  } catch (const std::runtime_error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("session not created"), std::string::npos) << what;
    EXPECT_NE(what.find("---- chromedriver log"), std::string::npos) << what;
    EXPECT_NE(what.find("RESPONSE InitSession ERROR"), std::string::npos) << what;  // a line only the log has
    EXPECT_NE(what.find("no-such-browser"), std::string::npos) << what;  // the reason names the binary
  }
}

// The first test again where "localhost" does not resolve: in a mount namespace of its own
// with an empty file over /etc/hosts (a fresh minimal Debian 12 had none). Over a TCP port,
// chromedriver could not reach the browser there ("unable to connect to renderer").
TEST(WebPage, WorksWithoutEtcHosts) {
  if (!fs::exists(kChromium) || !fs::exists(kChromedriver))
    GTEST_SKIP() << "needs Debian's chromium and chromium-driver (scripts/setup.sh installs them)";
  std::string output;
  if (run_command("unshare -m true", output) != 0) GTEST_SKIP() << "no mount namespaces here (needs root): " << output;
  const fs::path dir = scratch_dir();
  std::ofstream(dir / "hosts").flush();
  // Its own scratch root: the same test run directly (maybe at the same time, under ctest -j)
  // must not share its folder or its browser profile (CI saw Chromium exit on the profile lock).
  const std::string test = "env BLASTSCAN_TEST_SCRATCH=" + (dir / "nested").string() + " " +
                           fs::read_symlink("/proc/self/exe").string() +
                           " --gtest_filter=WebPage.ShowsTheClassBarsAndWarningForAnUploadedImageWithoutNetwork";
  const int status = run_command("timeout 300 unshare -m sh -c 'mount --bind " + (dir / "hosts").string() +
                                     " /etc/hosts && ! getent hosts localhost && exec " + test + "'",
                                 output);
  EXPECT_EQ(status, 0) << output;
}

// ---- what is drawn over the image

// RGBA of canvas pixels, read in the page: `canvas` is a JS expression naming the canvas.
std::vector<cv::Vec4i> canvas_pixels(Browser& browser, const std::string& canvas, const std::vector<cv::Point>& points) {
  json at = json::array();
  for (const auto& p : points) at.push_back({p.x, p.y});
  const json rgba = browser.script("const c = (" + canvas + ").getContext('2d'); return " + at.dump() +
                                   ".map(([x, y]) => Array.from(c.getImageData(x, y, 1, 1).data));");
  std::vector<cv::Vec4i> out;
  for (const auto& v : rgba) out.emplace_back(v[0], v[1], v[2], v[3]);
  return out;
}

// OpenCV's Turbo colour of a value in [0,1] (what blastscan's PNG heat-maps use), RGB.
cv::Vec3b turbo_rgb(float value) {
  cv::Mat one(1, 1, CV_8U, cv::Scalar(int(std::lround(255 * value)))), bgr;
  cv::applyColorMap(one, bgr, cv::COLORMAP_TURBO);
  const cv::Vec3b c = bgr.at<cv::Vec3b>(0, 0);
  return {c[2], c[1], c[0]};
}

TEST(WebPage, DrawsTheTilesOfASlideAndTheClassActivationMapOfAnImageOnItsToggle) {
  if (!fs::exists(kChromium) || !fs::exists(kChromedriver))
    GTEST_SKIP() << "needs Debian's chromium and chromium-driver (scripts/setup.sh installs them)";
  const fs::path dir = scratch_dir();
  const cv::Mat slide = smear_image({700, 420}, 300);  // slide-sized: tiles, the right part background
  cv::Mat bgr;
  cv::cvtColor(slide, bgr, cv::COLOR_RGB2BGR);
  ASSERT_TRUE(cv::imwrite((dir / "slide.png").string(), bgr));
  const fs::path cell = shared_dir() / "data" / "taleqani" / "Pro" / "WBC-Malignant-Pro-001.jpg";  // 224x224

  const PredictorOptions options{.threshold = 0.5f, .threads = 1};
  Predictor direct(two_class_model(), options);
  const SlideScan scan = scan_slide(*image_slide(slide), direct, TilingOptions{});
  const LoopbackServer server(two_class_model(), options);
  Browser browser(dir);
  browser.open(server.url());
  ASSERT_TRUE(browser.wait_until("document.getElementById('model').textContent.includes('LOW below 0.5')"));
  browser.choose_file("#file", dir / "slide.png");
  ASSERT_TRUE(browser.wait_until("['done', 'error'].includes(document.body.dataset.state)"));
  ASSERT_EQ(browser.script("return document.body.dataset.state;"), "done")
      << browser.script("return document.getElementById('error').textContent;");
  ASSERT_TRUE(browser.wait_until("document.getElementById('view').dataset.shows === 'tiles'"));
  EXPECT_NE(browser.script("return document.getElementById('tiles').textContent;").get<std::string>().find(
                "Scanned in 6 tiles of 299 pixels (" + std::to_string(scan.summary.background) + " background, " +
                std::to_string(scan.summary.classified) + " classified"),
            std::string::npos);
  EXPECT_EQ(browser.script("return getComputedStyle(document.getElementById('legend')).display;"), "block");
  // At each tile's centre the colour layer holds the Turbo colour of the hottest classified
  // tile there, and nothing where only background tiles are; the view blends it over the image.
  std::vector<cv::Point> centres;
  for (const auto& t : scan.tiles) centres.push_back((t.box.tl() + t.box.br()) / 2);
  const auto layer = canvas_pixels(browser, "layer", centres);
  const auto view = canvas_pixels(browser, "document.getElementById('view')", centres);
  int coloured = 0;
  for (size_t i = 0; i < centres.size(); ++i) {
    float hottest = -1.f;
    for (const auto& t : scan.tiles)
      if (!t.background && t.box.contains(centres[i])) hottest = std::max(hottest, t.all_probability);
    if (hottest < 0) {
      EXPECT_EQ(layer[i][3], 0) << "tile " << i << " is background";
      for (int c = 0; c < 3; ++c) EXPECT_NEAR(view[i][c], slide.at<cv::Vec3b>(centres[i])[c], 1) << i;
      continue;
    }
    ++coloured;
    const cv::Vec3b want = turbo_rgb(hottest);
    EXPECT_EQ(layer[i][3], 255) << i;
    for (int c = 0; c < 3; ++c) {
      // The page draws Turbo by its polynomial approximation: within about 15 levels of the table.
      EXPECT_NEAR(layer[i][c], want[c], 20) << "tile " << i << " channel " << c << " ALL probability " << hottest;
      EXPECT_NEAR(view[i][c], 0.55 * slide.at<cv::Vec3b>(centres[i])[c] + 0.45 * layer[i][c], 2) << i;
    }
  }
  EXPECT_GT(coloured, 0);
  EXPECT_LT(coloured, 6);
  write_file_atomic(dir / "web_page_slide.png", browser.screenshot_png());

  // An ordinary image: no tiles, and its class activation map only while the toggle is on.
  browser.choose_file("#file", cell);
  ASSERT_TRUE(browser.wait_until("document.getElementById('hint').textContent === '" + cell.filename().string() +
                                 "' && document.body.dataset.state === 'done'"));
  EXPECT_EQ(browser.script("return document.getElementById('view').dataset.shows;"), "");
  EXPECT_EQ(browser.script("return document.getElementById('tiles').textContent;"), "");
  EXPECT_EQ(browser.script("return getComputedStyle(document.getElementById('cam-toggle')).display;"), "block");
  browser.click("#show-cam");
  ASSERT_TRUE(browser.wait_until("document.getElementById('view').dataset.shows === 'cam'"));
  const Explanation e = Predictor(two_class_model(), {.threshold = 0.5f, .threads = 1, .explain = true})
                            .explain({load_image(cell)})
                            .at(0);
  ASSERT_GT(e.seen.x, 0);  // the central crop: a margin the map does not cover
  const std::vector<cv::Point> inside = {(e.seen.tl() + e.seen.br()) / 2, e.seen.tl() + cv::Point(2, 2)},
                               outside = {{e.seen.x / 2, e.seen.y / 2}};
  for (const auto& p : canvas_pixels(browser, "layer", inside)) EXPECT_EQ(p[3], 255);
  for (const auto& p : canvas_pixels(browser, "layer", outside)) EXPECT_EQ(p[3], 0);
  EXPECT_NE(browser.script("return document.getElementById('legend-title').textContent;").get<std::string>().find(
                "class activation map of " + e.prediction.label),
            std::string::npos);
  write_file_atomic(dir / "web_page_cam.png", browser.screenshot_png());
  browser.click("#show-cam");
  ASSERT_TRUE(browser.wait_until("document.getElementById('view').dataset.shows === ''"));
}

// ---- hostile names: a class named like markup is text everywhere it is shown

const std::string kHostileClass = "<img src=x onerror=alert(1)>";

// Markup in a name would show up as an element or run as script: no img with src "x", no
// alert dialog open, and the name itself in the page's text.
void expect_shown_as_text(Browser& browser, const std::string& where) {
  EXPECT_EQ(browser.script("return document.querySelectorAll('img[src=\"x\"]').length;"), 0) << where;
  EXPECT_TRUE(browser.script("return document.body.textContent;").get<std::string>().find(kHostileClass) !=
              std::string::npos)
      << where << ": the class name is not shown as text";
  bool alert_open = true;
  try {
    browser.in_session("GET", "/alert/text");
  } catch (const std::exception&) {  // WebDriver answers "no such alert"
    alert_open = false;
  }
  EXPECT_FALSE(alert_open) << where << ": a script ran";
}

TEST(WebPage, AClassNamedLikeMarkupIsTextInThePageAndInTheReport) {
  if (!fs::exists(kChromium) || !fs::exists(kChromedriver))
    GTEST_SKIP() << "needs Debian's chromium and chromium-driver (scripts/setup.sh installs them)";
  const fs::path dir = scratch_dir();
  const fs::path image = shared_dir() / "data" / "taleqani" / "Pro" / "WBC-Malignant-Pro-001.jpg";
  Model model = make_random_model("Conv2d_2a_3x3", 2, 5);
  model.classes = {kHostileClass, "ALL"};
  model.positive = {"ALL"};

  // The report: `blastscan evaluate` on class folders named like the model's classes, with
  // image file names that are markup too (shown for misclassified images).
  save_model(model, dir / "m.pb");
  for (const auto& cls : model.classes)
    for (int i = 0; i < 3; ++i) {
      fs::create_directories(dir / "data" / cls);
      fs::copy_file(image, dir / "data" / cls / ("<b onmouseover=alert(2)>" + std::to_string(i) + ".jpg"));
    }
  std::string output;
  ASSERT_EQ(run_command(blastscan_binary().string() + " evaluate --model '" + (dir / "m.pb").string() + "' --data '" +
                            (dir / "data").string() + "' --out '" + (dir / "report").string() + "' --cache '" +
                            (dir / "cache").string() + "' --threads 1",
                        output),
            0)
      << output;
  ASSERT_TRUE(fs::exists(dir / "report" / "report.html")) << output;

  const LoopbackServer server(model, PredictorOptions{.threads = 1});
  {
    Browser browser(dir);
    browser.open(server.url());
    ASSERT_TRUE(browser.wait_until("document.getElementById('model').textContent.includes('ALL')"));
    browser.choose_file("#file", image);
    ASSERT_TRUE(browser.wait_until("['done', 'error'].includes(document.body.dataset.state)"));
    EXPECT_EQ(browser.script("return document.body.dataset.state;"), "done");
    expect_shown_as_text(browser, "web page");

    browser.open("file://" + fs::absolute(dir / "report" / "report.html").string());
    ASSERT_TRUE(browser.wait_until("document.readyState === 'complete'"));
    expect_shown_as_text(browser, "report.html");
  }
}

}  // namespace
}  // namespace blastscan
