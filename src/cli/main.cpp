// blastscan: one binary, one subcommand per workflow step. Errors from the library arrive here
// as exceptions and leave as one line on stderr and exit status 1.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include <CLI/CLI.hpp>

#include "base/error.h"
#include "base/safe_text.h"
#include "cli/commands.h"

namespace {

// libgomp (oneDNN's thread pool) reads its wait policy when it is loaded, before main. Its
// default keeps idle threads spinning for a long time, which collapses throughput as soon as
// another process competes for the cores. Measured on 2 cores, Mixed_7a, batch 1: idle 34.4 ms
// (default) vs 35.2 ms (short spin); beside two busy processes 274 ms (default) vs 75 ms
// (short spin) vs 113 ms (passive). Unless the user chose a policy, run again with a short spin.
void prefer_short_openmp_spin(char** argv) {
  if (std::getenv("OMP_WAIT_POLICY") || std::getenv("GOMP_SPINCOUNT")) return;
  setenv("GOMP_SPINCOUNT", "2000", 1);
  execv("/proc/self/exe", argv);  // returns only on failure; then go on with the default
}

}  // namespace

int main(int argc, char** argv) {
  prefer_short_openmp_spin(argv);
  CLI::App app{"blastscan: acute lymphoblastic leukemia detection with Inception V3"};
  app.require_subcommand(1);
  app.fallthrough();
  // Bad flags get the same one-line form as every other error.
  app.failure_message([](const CLI::App*, const CLI::Error& e) {
    return "blastscan: error: " + std::string(e.what()) + " (see --help)\n";
  });
  blastscan::cli::add_info(app);
  blastscan::cli::add_classify(app);
  blastscan::cli::add_merge(app);
  blastscan::cli::add_bench(app);
  blastscan::cli::add_prepare(app);
  blastscan::cli::add_augment(app);
  blastscan::cli::add_export(app);
  blastscan::cli::add_serve(app);
  blastscan::cli::add_client(app);
  blastscan::cli::add_train(app);
  blastscan::cli::add_evaluate(app);
  blastscan::cli::add_quantize(app);
  blastscan::cli::add_preprocess(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 1;  // --help is a success; every bad flag exits 1
  } catch (const blastscan::cli::ExitStatus& status) {
    return status.code;
  } catch (const std::exception& e) {
    // Messages quote paths and names from outside: escaped, so they stay one line on a terminal.
    std::fprintf(stderr, "blastscan: error: %s\n", blastscan::printable(e.what()).c_str());
    return 1;
  }
  return 0;
}
