// blastscan client: sends images to a running `blastscan serve` as the seed's Client.py did
// (the file's bytes as the raw POST /Inference body) and prints the answers exactly as
// `classify` prints its own (predict/results.h): one line per image, then the seed's summary.
// Where a file's folder or ALL-IDB name gives its true class (checked against the server's
// classes from GET /model), each line says correct or incorrect; a slide-sized image, which the
// server scans in tiles, gets classify's tile counts.
// Images go one at a time on purpose: the server, not the client, is what gets measured.
#include <fmt/format.h>
#include <httplib.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/error.h"
#include "base/file_io.h"
#include "base/json_number.h"
#include "cli/commands.h"
#include "cli/options.h"
#include "cli/output.h"
#include "cli/progress_bar.h"
#include "data/dataset.h"
#include "predict/results.h"
#include "predict/slide_json.h"

namespace blastscan::cli {

namespace {

struct ClientArgs {
  std::string url = "http://127.0.0.1:8080";
  std::vector<std::string> inputs;
  std::string format = "table";
  int timeout_seconds = 60;
};

// "http://host:port", also accepting the seed's full "http://host:port/Inference".
std::string server_base(std::string url) {
  for (const std::string suffix : {"/Inference", "/"})
    if (url.size() > suffix.size() && url.compare(url.size() - suffix.size(), suffix.size(), suffix) == 0)
      url.resize(url.size() - suffix.size());
  if (url.rfind("http://", 0) != 0) throw InputError("--url " + url + ": expected http://HOST:PORT");
  return url;
}

// The answer's JSON body; a server that is not blastscan's gets a clear error.
nlohmann::json parse_answer(const httplib::Result& res, const std::string& what) {
  try {
    return nlohmann::json::parse(res->body);
  } catch (const nlohmann::json::exception&) {
    throw Error(fmt::format("{}: HTTP {} with a body that is not JSON", what, res->status));
  }
}

// The served model as far as the results table needs it: class names and ALL classes.
Model fetch_model(httplib::Client& http, const std::string& base) {
  auto res = http.Get("/model");
  if (!res) throw Error(fmt::format("cannot reach {}: {}", base, httplib::to_string(res.error())));
  const auto answer = parse_answer(res, base + "/model");
  if (res->status != 200) throw Error(fmt::format("{}/model: HTTP {}: {}", base, res->status, answer.value("Message", "")));
  Model model;
  model.classes = answer.at("classes").get<std::vector<std::string>>();
  model.positive = answer.at("positive").get<std::vector<std::string>>();
  model.endpoint = answer.value("endpoint", "");
  return model;
}

Prediction prediction_from(const nlohmann::json& answer, const Model& model) {
  Prediction p;
  p.label = answer.at("Classification");
  p.class_id = std::stoi(answer.at("aClassification").get<std::string>());
  p.confidence = std::stof(answer.at("Confidence").get<std::string>());
  for (const auto& name : model.classes) p.probabilities.push_back(json_number<float>(answer.at("probabilities").at(name)));
  p.low_confidence = answer.at("low_confidence");
  p.positive = answer.at("all_detected");
  p.ms = answer.at("time_ms");
  return p;
}

// One image through the server. A refused image becomes an error row; an unreachable server
// ends the run.
ImageResult classify_remote(httplib::Client& http, const std::string& base, const fs::path& path, const Model& model) {
  ImageResult result;
  result.path = path;
  result.true_class = class_from_path(path, model.classes);
  std::vector<uint8_t> bytes;
  try {
    bytes = read_file(path);
  } catch (const InputError& e) {
    result.error = e.what();
    return result;
  }
  auto res = http.Post("/Inference", reinterpret_cast<const char*>(bytes.data()), bytes.size(), "application/octet-stream");
  if (!res) throw Error(fmt::format("cannot reach {}: {}", base, httplib::to_string(res.error())));
  const auto answer = parse_answer(res, base + "/Inference");
  if (res->status != 200 || answer.value("Response", "") != "OK")
    result.error = fmt::format("{}: HTTP {}: {}", path.string(), res->status, answer.value("Message", ""));
  else
    result.prediction = prediction_from(answer, model);
  // A slide-sized image was scanned in tiles: its counts, as classify prints them.
  if (result.prediction && answer.contains("slide")) result.tiles = tile_counts_from_json(answer["slide"].at("tile_counts"));
  return result;
}

void run_client(const ClientArgs& args) {
  const std::string base = server_base(args.url);
  httplib::Client http(base);
  if (!http.is_valid()) throw InputError("--url " + args.url + ": expected http://HOST:PORT");
  http.set_connection_timeout(5);
  http.set_read_timeout(args.timeout_seconds);
  http.set_write_timeout(args.timeout_seconds);

  const Model model = fetch_model(http, base);
  const std::vector<fs::path> images = list_images({args.inputs.begin(), args.inputs.end()});
  std::vector<ImageResult> results;
  ProgressCounter progress(terminal_progress(), "client", images.size());
  for (const fs::path& path : images) {
    results.push_back(classify_remote(http, base, path, model));
    progress.advance();
  }
  progress.finish();
  print_results(results, model, args.format);
}

}  // namespace

void add_client(CLI::App& app) {
  auto args = std::make_shared<ClientArgs>();
  auto* cmd = app.add_subcommand("client", "send images to a running `blastscan serve` and print its answers");
  cmd->add_option("--url", args->url, "the server")->capture_default_str();
  cmd->add_option("--timeout", args->timeout_seconds, "seconds to wait for each answer")
      ->check(CLI::Range(1, 3600))
      ->capture_default_str();
  add_option(cmd, flags::format, args->format);
  cmd->add_option("images", args->inputs, "image files or folders (searched recursively)")->required();
  cmd->callback([args] { run_client(*args); });
}

}  // namespace blastscan::cli
