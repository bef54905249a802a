// blastscan quantize --model M.pb --calibrate DATA [--images 200] --out M.int8.pb: calibrates
// the model for int8 on real images and writes it with the calibration in its metadata (the
// fp32 weights stay, so TensorFlow, OpenCV and ONNX consumers read it as before).
#include <cstdio>

#include "cli/commands.h"
#include "cli/options.h"
#include "cli/progress_bar.h"
#include "data/dataset.h"
#include "formats/graphdef.h"
#include "predict/calibration.h"

namespace blastscan::cli {

void add_quantize(CLI::App& app) {
  struct Options {
    std::string model, data, out;
    int images = 200, threads = 0;
  };
  auto opts = std::make_shared<Options>();
  auto* cmd = app.add_subcommand("quantize", "calibrate a model for --precision int8 on real images");
  add_option(cmd, flags::model, opts->model)->required();
  cmd->add_option("--calibrate", opts->data, "folder of images to calibrate on (searched recursively)")->required();
  cmd->add_option("--images", opts->images, "how many images, spread over the sorted list")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  cmd->add_option("--out,-o", opts->out, "calibrated model (.pb)")->required();
  add_option(cmd, flags::threads, opts->threads);
  cmd->callback([opts] {
    const Model model = load_model(opts->model);
    const auto images = calibration_sample(list_images({std::filesystem::path(opts->data)}), size_t(opts->images));
    const Model calibrated = calibrate_int8(model, images, opts->threads, terminal_progress());
    save_model(calibrated, opts->out);
    std::printf("%s: int8 calibration on %zu images of %s (%zu tensors)\n", opts->out.c_str(), images.size(),
                opts->data.c_str(), calibrated.activation_max.size());
  });
}

}  // namespace blastscan::cli
