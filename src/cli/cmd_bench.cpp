// blastscan bench: end-to-end network speed (ms/image, GFLOP/s) at several batch sizes, for
// model files and for seeded random models (the full-depth network, whose real weights are not
// available). Preprocessing is not included: it is the network's speed.
#include <cstdio>
#include <random>

#include "base/timing.h"
#include "cli/commands.h"
#include "cli/options.h"
#include "formats/graphdef.h"
#include "inception/inception_v3.h"
#include "inception/network.h"
#include "inception/random_model.h"

namespace blastscan::cli {

namespace {

void bench_model(const Model& model, const std::string& label, const std::vector<int>& batches, int threads,
                 double seconds) {
  for (int batch : batches) {
    Network network(model, {.batch = batch, .threads = threads});
    std::vector<float> input(size_t(batch) * 299 * 299 * 3);
    std::mt19937 rng(1);
    std::uniform_real_distribution<float> u(-1.f, 1.f);
    for (auto& x : input) x = u(rng);
    const Timing t = time_runs([&] { network.run(input.data(), batch); }, 1, 3, seconds);
    const double ms = t.median_ms / batch;
    std::printf("%-40s %-9s %5d %9.1f %9.1f %8.1f\n", label.c_str(), model.endpoint.c_str(), batch, ms, 1000.0 / ms,
                network.flops_per_image() / (ms * 1e6));
    std::fflush(stdout);
  }
}

}  // namespace

void add_bench(CLI::App& app) {
  struct Options {
    std::vector<std::string> models{shared_path("models/inception_v3_imagenet_2015_mixed7a.pb")};
    std::vector<std::string> random{"Mixed_7c"};
    std::vector<int> batches{1, 8};
    int threads = 0;
    double seconds = 3.0;
  };
  auto opts = std::make_shared<Options>();
  auto* cmd = app.add_subcommand("bench", "time the network: ms/image and GFLOP/s per batch size");
  cmd->add_option("--model,-m", opts->models, "frozen model(s) to time")->capture_default_str();
  cmd->add_option("--random", opts->random, "also time seeded random models up to these end points ('none' for none)")
      ->capture_default_str();
  cmd->add_option("--batch", opts->batches, "batch sizes")->check(CLI::Range(1, 256))->capture_default_str();
  cmd->add_option("--seconds", opts->seconds, "minimum timing per measurement")->check(CLI::Range(0.1, 600.0));
  add_threads_option(cmd, opts->threads);
  cmd->callback([opts] {
    const int threads = opts->threads > 0 ? opts->threads : default_thread_count();
    std::printf("cpu: %s\nthreads: %d, precision: f32, input 299x299x3, preprocessing excluded\n",
                cpu_isa_description().c_str(), threads);
    std::printf("%-40s %-9s %5s %9s %9s %8s\n", "model", "end point", "batch", "ms/image", "images/s", "GFLOP/s");
    for (const auto& path : opts->models)
      bench_model(load_model(path), std::filesystem::path(path).filename().string(), opts->batches, threads, opts->seconds);
    for (const auto& endpoint : opts->random)
      if (endpoint != "none") bench_model(make_random_model(endpoint, 2, 1), "random weights, 2 classes", opts->batches, threads, opts->seconds);
  });
}

}  // namespace blastscan::cli
