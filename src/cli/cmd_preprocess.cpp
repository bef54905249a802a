// blastscan preprocess --model M.pb --out DIR IMAGE|DIR ...: writes the exact tensor the network
// gets for each image (float32 NHWC [1,299,299,3], the model's own preprocessing) as
// DIR/<image file name>.npy, so another runtime (TensorFlow, ONNX Runtime, OpenVINO) can be fed
// the same input as blastscan and the outputs compared number for number.
#include <cstdio>
#include <set>

#include "base/error.h"
#include "cli/commands.h"
#include "cli/options.h"
#include "data/dataset.h"
#include "data/image.h"
#include "formats/graphdef.h"
#include "formats/npy.h"
#include "predict/predictor.h"

namespace blastscan::cli {

void add_preprocess(CLI::App& app) {
  struct Options {
    std::string model, out;
    std::vector<std::string> inputs;
  };
  auto opts = std::make_shared<Options>();
  auto* cmd = app.add_subcommand("preprocess", "write the network input of each image as .npy (NHWC float32), to feed other runtimes");
  add_option(cmd, flags::model, opts->model)->required();
  cmd->add_option("--out,-o", opts->out, "folder for the .npy files")->required();
  cmd->add_option("inputs", opts->inputs, "image files or folders (searched recursively)")->required();
  cmd->callback([opts] {
    constexpr int kSize = 299;
    const std::vector<std::filesystem::path> inputs(opts->inputs.begin(), opts->inputs.end());
    const auto files = list_images(inputs);
    std::set<std::string> names;
    for (const auto& f : files)
      if (!names.insert(f.filename().string()).second)
        throw InputError(f.string() + ": another input has the same file name, and both would be written to " +
                         (std::filesystem::path(opts->out) / (f.filename().string() + ".npy")).string());
    const Model model = load_model(opts->model);
    Tensor input({1, kSize, kSize, 3});
    for (const auto& f : files) {
      preprocess_for_model(model, load_image(f), kSize, input.ptr());
      const auto path = std::filesystem::path(opts->out) / (f.filename().string() + ".npy");
      save_npy(input, path);
      std::printf("%s -> %s\n", f.string().c_str(), path.string().c_str());
    }
    std::printf("%zu images, preprocessing '%s', float32 NHWC [1,%d,%d,3]\n", files.size(), model.preprocessing.c_str(),
                kSize, kSize);
  });
}

}  // namespace blastscan::cli
