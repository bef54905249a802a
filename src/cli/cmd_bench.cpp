// blastscan bench: end-to-end network speed (ms/image, GFLOP/s) at several batch sizes and
// precisions, for model files and for seeded random models (the full-depth network, whose real
// weights are not available). Preprocessing is not included: it is the network's speed.
// --profile: one image, one thread, the time of every layer summed per end point and per kind.
#include <cstdio>
#include <map>

#include "base/rng.h"
#include "base/timing.h"
#include "cli/commands.h"
#include "cli/options.h"
#include "formats/graphdef.h"
#include "inception/inception_v3.h"
#include "inception/network.h"
#include "inception/random_model.h"

namespace blastscan::cli {

namespace {

std::vector<float> random_input(int batch) {
  std::vector<float> input(size_t(batch) * 299 * 299 * 3);
  Rng rng(1);
  for (auto& x : input) x = 2 * rng.uniform() - 1;
  return input;
}

// int8 needs a calibration: a model without one is calibrated here on the random input (for
// timing only; `blastscan quantize` calibrates on real images).
Model calibrated(Model model, int threads) {
  if (!model.activation_max.empty()) return model;
  Network fp32(model, {.batch = 1, .threads = threads});
  const auto input = random_input(1);
  model.activation_max = fp32.activation_max(input.data(), 1);
  return model;
}

void bench_model(const Model& model, const std::string& label, const std::vector<int>& batches, int threads,
                 Precision precision, double seconds, int runs) {
  const Model compiled = precision == Precision::int8 ? calibrated(model, threads) : model;
  for (int batch : batches) {
    Network network(compiled, {.batch = batch, .threads = threads, .precision = precision});
    const auto input = random_input(batch);
    const Timing t = time_runs([&] { network.run(input.data(), batch); }, 2, runs, seconds);
    const double ms = t.median_ms / batch;
    std::printf("%-36s %-9s %-5s %5d %9.1f %9.1f %8.1f\n", label.c_str(), model.endpoint.c_str(),
                to_string(network.precision()).c_str(), batch, ms, 1000.0 / ms, network.flops_per_image() / (ms * 1e6));
    std::fflush(stdout);
  }
}

void profile_model(const Model& model, const std::string& label, int threads, Precision precision) {
  const Model compiled = precision == Precision::int8 ? calibrated(model, threads) : model;
  Network network(compiled, {.batch = 1, .threads = threads, .precision = precision});
  const auto input = random_input(1);
  const auto layers = network.profile(input.data(), 5);
  std::map<std::string, double> by_endpoint, by_kind;
  std::vector<std::string> endpoint_order;
  double total = 0;
  for (const auto& l : layers) {
    if (!by_endpoint.count(l.endpoint)) endpoint_order.push_back(l.endpoint);
    by_endpoint[l.endpoint] += l.ms;
    by_kind[l.kind] += l.ms;
    total += l.ms;
  }
  std::printf("profile of %s (%s, %s), one image on one thread, median of 5 per layer: %.1f ms\n", label.c_str(),
              model.endpoint.c_str(), to_string(network.precision()).c_str(), total);
  for (const auto& e : endpoint_order) std::printf("  %-24s %8.2f ms %5.1f%%\n", e.c_str(), by_endpoint[e], 100 * by_endpoint[e] / total);
  for (const auto& [kind, ms] : by_kind) std::printf("  %-24s %8.2f ms %5.1f%%\n", ("(" + kind + ")").c_str(), ms, 100 * ms / total);
  std::fflush(stdout);
}

}  // namespace

void add_bench(CLI::App& app) {
  struct Options {
    std::vector<std::string> models{shared_path("models/inception_v3_imagenet_2015_mixed7a.pb")};
    std::vector<std::string> random{"Mixed_7c"};
    std::vector<int> batches{1, 8};
    std::vector<std::string> precisions{"fp32"};
    int threads = 0;
    double seconds = 3.0;
    int runs = 3;
    bool profile = false;
  };
  auto opts = std::make_shared<Options>();
  auto* cmd = app.add_subcommand("bench", "time the network: ms/image and GFLOP/s per batch size and precision");
  cmd->add_option("--model,-m", opts->models, "frozen model(s) to time ('none' for none)")->capture_default_str();
  cmd->add_option("--random", opts->random, "also time seeded random models up to these end points ('none' for none)")
      ->capture_default_str();
  cmd->add_option("--batch", opts->batches, "batch sizes")->check(CLI::Range(1, 256))->capture_default_str();
  add_option(cmd, flags::precision, opts->precisions);  // several: --precision fp32,bf16
  cmd->add_option("--seconds", opts->seconds, "minimum timing per measurement")->check(finite_number() & CLI::Range(0.0, 600.0));
  cmd->add_option("--runs", opts->runs, "minimum timed runs per measurement (after 2 warm-up runs); the median is shown")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  cmd->add_flag("--profile", opts->profile, "time every layer of one image on one thread, per end point and kind");
  add_option(cmd, flags::threads, opts->threads);
  cmd->callback([opts] {
    const int threads = opts->threads > 0 ? opts->threads : default_thread_count();
    std::vector<Precision> precisions;
    for (const auto& p : opts->precisions) precisions.push_back(choose_precision(p));
    std::vector<std::pair<Model, std::string>> models;
    for (const auto& path : opts->models)
      if (path != "none") models.emplace_back(load_model(path), std::filesystem::path(path).filename().string());
    for (const auto& endpoint : opts->random)
      if (endpoint != "none") models.emplace_back(make_random_model(endpoint, 2, 1), "random weights, 2 classes");
    std::printf("cpu: %s\nthreads: %d, input 299x299x3, preprocessing excluded\n", cpu_isa_description().c_str(), threads);
    if (opts->profile) {
      for (const auto& [model, label] : models)
        for (Precision p : precisions) profile_model(model, label, threads, p);
      return;
    }
    std::printf("%-36s %-9s %-5s %5s %9s %9s %8s\n", "model", "end point", "prec", "batch", "ms/image", "images/s", "GFLOP/s");
    for (const auto& [model, label] : models)
      for (Precision p : precisions) bench_model(model, label, opts->batches, threads, p, opts->seconds, opts->runs);
  });
}

}  // namespace blastscan::cli
