// blastscan: one binary, one subcommand per workflow step. Errors from the library arrive here
// as exceptions and leave as one line on stderr and exit status 1.
#include <cstdio>

#include <CLI/CLI.hpp>

#include "base/error.h"
#include "cli/commands.h"

int main(int argc, char** argv) {
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
