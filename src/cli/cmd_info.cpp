// blastscan info M.pb: what a model file holds.
#include <cstdio>
#include <filesystem>

#include "base/hash.h"
#include "cli/commands.h"
#include "cli/options.h"
#include "formats/graphdef.h"
#include "inception/inception_v3.h"
#include "inception/preprocessing_recipe.h"

namespace blastscan::cli {

void add_info(CLI::App& app) {
  struct Options {
    std::string model, endpoint = "auto";
  };
  auto opts = std::make_shared<Options>();
  auto* cmd = app.add_subcommand("info", "show a model's end point, classes, input, size and parameter count");
  cmd->add_option("model", opts->model, "frozen model (.pb)")->required();
  add_option(cmd, flags::endpoint, opts->endpoint);
  cmd->callback([opts] {
    const Model m = load_model(opts->model, {.endpoint = opts->endpoint});
    const auto shapes = infer_shapes(inception_v3_layers(m.endpoint), 299);
    std::printf("file:           %s (%ju bytes, sha256 %s)\n", opts->model.c_str(),
                std::uintmax_t(std::filesystem::file_size(opts->model)), sha256_file_hex(opts->model).c_str());
    std::printf("end point:      %s (%dx%dx%d)\n", m.endpoint.c_str(), shapes.back().H, shapes.back().W, shapes.back().C);
    std::printf("input:          input, float32 NHWC [-1,299,299,3]\n");
    std::printf("preprocessing:  %s: %s\n", m.preprocessing.c_str(),
                describe_preprocessing(preprocessing_recipe(m.preprocessing), 299).c_str());
    if (m.head) {
      std::printf("outputs:        InceptionV3/Predictions/Softmax, InceptionV3/Predictions/Reshape_1 [-1,%d]\n",
                  m.head->num_classes());
      std::printf("classes:        ");
      for (size_t k = 0; k < m.classes.size(); ++k)
        std::printf("%s%zu:%s%s", k ? ", " : "", k, m.classes[k].c_str(), m.is_positive(int(k)) ? " (ALL)" : "");
      std::printf("\n");
    } else {
      std::printf("outputs:        InceptionV3/Logits/AvgPool_1a_8x8 [-1,1,1,%d] (backbone only, no head)\n", shapes.back().C);
    }
    std::printf("parameters:     %jd\n", std::intmax_t(m.parameter_count()));
    if (!m.activation_max.empty())
      std::printf("int8:           calibrated on %d images (%zu tensor ranges): --precision int8\n",
                  m.calibration_images, m.activation_max.size());
    else
      std::printf("int8:           not calibrated (blastscan quantize)\n");
  });
}

}  // namespace blastscan::cli
