// blastscan: one binary, one subcommand per workflow step. Errors from the library arrive here
// as exceptions and leave as one line on stderr and exit status 1.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include <CLI/CLI.hpp>

#include "base/error.h"
#include "cli/commands.h"

namespace {

// libgomp (oneDNN's thread pool) reads its wait policy when it is loaded, before main. Its
// default keeps idle threads spinning, which collapses throughput as soon as another process
// competes for the cores (measured: 630 ms/image instead of 104 with a build running beside
// it). Unless the user chose a policy, run again with passive waiting.
void prefer_passive_openmp_wait(char** argv) {
  if (std::getenv("OMP_WAIT_POLICY") || std::getenv("GOMP_SPINCOUNT")) return;
  setenv("OMP_WAIT_POLICY", "passive", 1);
  execv("/proc/self/exe", argv);  // returns only on failure; then go on with the default
}

}  // namespace

int main(int argc, char** argv) {
  prefer_passive_openmp_wait(argv);
  CLI::App app{"blastscan: acute lymphoblastic leukemia detection with Inception V3"};
  app.require_subcommand(1);
  app.fallthrough();
  // Bad flags get the same one-line form as every other error.
  app.failure_message([](const CLI::App*, const CLI::Error& e) {
    return "blastscan: error: " + std::string(e.what()) + " (see --help)\n";
  });
  blastscan::cli::add_info(app);
  blastscan::cli::add_classify(app);
  blastscan::cli::add_bench(app);
  blastscan::cli::add_prepare(app);
  blastscan::cli::add_augment(app);
  blastscan::cli::add_export(app);
  blastscan::cli::add_serve(app);
  blastscan::cli::add_client(app);
  blastscan::cli::add_train(app);
  blastscan::cli::add_evaluate(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 1;  // --help is a success; every bad flag exits 1
  } catch (const blastscan::cli::ExitStatus& status) {
    return status.code;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "blastscan: error: %s\n", e.what());
    return 1;
  }
  return 0;
}
