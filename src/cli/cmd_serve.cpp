// blastscan serve: the HTTP server (serve/server.h) on a frozen model. It listens at once and
// loads the model on a second thread (/health says 503 until it is ready); SIGINT/SIGTERM let
// requests in flight finish, then it exits 0. A model that fails to load stops it with exit 1.
#include <memory>
#include <thread>

#include <spdlog/spdlog.h>

#include "base/error.h"
#include "cli/commands.h"
#include "cli/options.h"
#include "predict/results.h"
#include "serve/malloc_arenas.h"
#include "serve/server.h"
#include "serve/stop_signals.h"

namespace blastscan::cli {

namespace {

struct ServeArgs {
  std::string model;
  ServerOptions server;
  PredictorOptions predictor{.batch = 0};  // batch 0: throughput_batch
  std::string precision = "fp32";
  int max_body_mb = 32;
  int max_memory_mb = 1024;
  int malloc_arenas = 2;  // serve/malloc_arenas.h: with glibc's default, RSS grew through a soak
};

void run_serve(const ServeArgs& args) {
  limit_malloc_arenas(args.malloc_arenas);  // before any thread exists: an arena, once made, stays
  ServerOptions options = args.server;
  options.max_body_bytes = size_t(args.max_body_mb) << 20;
  options.max_memory_bytes = size_t(args.max_memory_mb) << 20;
  Server server(options);  // starts no thread yet
  // Before any thread exists, so that every thread inherits the blocked signals.
  StopSignals signals([&server] { server.stop(); });
  const int port = server.bind();
  spdlog::info("blastscan serve: listening on http://{}:{}/ (POST /Inference, GET /health, GET /model, GET /)",
               options.host, port);

  std::string load_error;
  std::thread loader([&] {
    try {
      spdlog::info("loading {}", args.model);
      PredictorOptions predictor = args.predictor;
      predictor.precision = choose_precision(args.precision);
      // Concurrent requests are classified together (served_model.h), as many files are.
      if (predictor.batch == 0) predictor.batch = throughput_batch(size_t(-1), predictor.threads);
      auto served = load_served_model(args.model, predictor);
      const Model& m = served->model();
      spdlog::info("model ready: {} ({}, {} classes, sha256 {})", served->file_name, m.endpoint, m.classes.size(),
                   served->sha256.substr(0, 12));
      server.set_model(std::move(served));
    } catch (const std::exception& e) {
      load_error = e.what();
      server.stop();
    }
  });
  server.listen();
  loader.join();
  if (!load_error.empty()) throw Error(load_error);
  spdlog::info("blastscan serve: stopped");
}

}  // namespace

void add_serve(CLI::App& app) {
  auto args = std::make_shared<ServeArgs>();
  auto* cmd = app.add_subcommand("serve", "HTTP server: POST /Inference (the seed's API), GET /health, GET /model, web page at /");
  add_option(cmd, flags::model, args->model)->required();
  cmd->add_option("--host", args->server.host, "address to listen on (0.0.0.0 for every interface)")->capture_default_str();
  cmd->add_option("--port", args->server.port, "TCP port (0 = any free port)")->check(CLI::Range(0, 65535))->capture_default_str();
  add_option(cmd, flags::threads, args->predictor.threads);
  add_option(cmd, flags::batch, args->predictor.batch);
  add_option(cmd, flags::precision, args->precision);
  add_option(cmd, flags::threshold, args->predictor.threshold);
  cmd->add_option("--workers", args->server.workers, "requests decoded and answered at once")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  add_option(cmd, flags::max_connections, args->server.max_connections);
  add_option(cmd, flags::request_timeout, args->server.request_timeout_seconds);
  cmd->add_option("--max-body-mb", args->max_body_mb, "largest accepted upload in MiB (larger: 413)")
      ->check(CLI::Range(1, 4096))
      ->capture_default_str();
  add_option(cmd, flags::max_memory_mb, args->max_memory_mb);
  add_option(cmd, flags::malloc_arenas, args->malloc_arenas);
  cmd->add_option("--read-timeout", args->server.read_timeout_seconds, "seconds a stalled client may take")
      ->check(CLI::Range(1, 3600))
      ->capture_default_str();
  cmd->callback([args] { run_serve(*args); });
}

}  // namespace blastscan::cli
