// blastscan export: a blastscan model for other runtimes, as a frozen TensorFlow GraphDef
// (formats/graphdef.h, plus labels.txt beside it) or as ONNX (formats/onnx_export.h). The format
// comes from --format, else from the extension of --out. --random writes a model with seeded
// random weights instead (the full-depth network, whose real weights are not available here,
// for benchmarks and for checking other runtimes against blastscan).
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <filesystem>
#include <memory>
#include <string>

#include "base/error.h"
#include "cli/commands.h"
#include "cli/options.h"
#include "formats/graphdef.h"
#include "formats/onnx_export.h"
#include "inception/inception_v3.h"
#include "inception/random_model.h"

namespace blastscan::cli {

namespace {

struct ExportArgs {
  std::string model, out, format, endpoint = "auto";
  std::string random;  // an end point: random weights up to there instead of --model
  int classes = 2;
  unsigned seed = 1;
};

std::string chosen_format(const ExportArgs& args) {
  if (!args.format.empty()) return args.format;
  const std::string ext = std::filesystem::path(args.out).extension().string();
  if (ext == ".onnx") return "onnx";
  if (ext == ".pb") return "pb";
  throw InputError("--out " + args.out + ": say --format onnx|pb (the extension is neither .onnx nor .pb)");
}

void run_export(const ExportArgs& args) {
  const std::string format = chosen_format(args);
  if (args.model.empty() == args.random.empty()) throw InputError("export: give either --model or --random");
  const Model model = args.random.empty() ? load_model(args.model, {.endpoint = args.endpoint})
                                          : make_random_model(args.random, args.classes, args.seed);
  const std::string output = model.head ? "InceptionV3/Predictions/Softmax [N," + std::to_string(model.head->num_classes()) + "]"
                                        : "InceptionV3/Logits/AvgPool_1a_8x8 (features)";
  if (format == "onnx") {
    save_onnx(model, args.out);
    fmt::print("wrote {}: ONNX opset {}, input 'input' float NHWC [N,299,299,3] in [-1,1], output {}\n", args.out,
               kOnnxOpset, output);
  } else {
    save_model(model, args.out);
    fmt::print("wrote {}: frozen GraphDef, input 'input' float NHWC [N,299,299,3] in [-1,1], output {}\n", args.out,
               output);
  }
  fmt::print("end point {}, classes {}, preprocessing '{}'\n", model.endpoint,
             model.classes.empty() ? "(none)" : fmt::format("{}", fmt::join(model.classes, ", ")), model.preprocessing);
}

}  // namespace

void add_export(CLI::App& app) {
  auto args = std::make_shared<ExportArgs>();
  auto* cmd = app.add_subcommand("export", "write a model for other runtimes: ONNX or frozen TensorFlow GraphDef");
  add_option(cmd, flags::model, args->model);
  add_option(cmd, flags::endpoint, args->endpoint);
  cmd->add_option("--random", args->random,
                  "instead of --model: seeded random weights up to this end point (Mixed_7c: the full network)")
      ->check(CLI::IsMember(inception_v3_endpoints()));
  cmd->add_option("--classes", args->classes, "with --random: head outputs (0: no head)")
      ->check(CLI::Range(0, 100000))
      ->capture_default_str();
  add_option(cmd, flags::seed, args->seed);
  cmd->add_option("--out,-o", args->out, "output file (.onnx or .pb)")->required();
  cmd->add_option("--format", args->format, "onnx or pb (default: from the --out extension)")
      ->check(CLI::IsMember({"onnx", "pb"}));
  cmd->callback([args] { run_export(*args); });
}

}  // namespace blastscan::cli
