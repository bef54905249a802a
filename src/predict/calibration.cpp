#include "predict/calibration.h"

#include <algorithm>
#include <future>

#include "base/error.h"
#include "data/image.h"
#include "inception/network.h"
#include "predict/predictor.h"

namespace blastscan {

namespace {

constexpr int kImageSize = 299;
constexpr int kBatch = 8;

}  // namespace

std::vector<std::filesystem::path> calibration_sample(std::vector<std::filesystem::path> files, size_t count) {
  std::sort(files.begin(), files.end());
  if (files.size() <= count) return files;
  std::vector<std::filesystem::path> sample;
  for (size_t i = 0; i < count; ++i) sample.push_back(files[i * files.size() / count]);
  return sample;
}

Model calibrate_int8(Model model, const std::vector<std::filesystem::path>& images, int threads,
                     const ProgressFn& progress) {
  if (images.empty()) throw InputError("calibration needs at least one image");
  Network network(model, {.batch = kBatch, .image_size = kImageSize, .threads = threads});
  const size_t image_floats = size_t(kImageSize) * kImageSize * 3;
  const auto prepare = [&](size_t first) {  // decode + preprocess one batch
    std::vector<float> input(std::min(images.size() - first, size_t(kBatch)) * image_floats);
    for (size_t j = 0; first + j < images.size() && j < size_t(kBatch); ++j)
      preprocess_for_model(model, load_image(images[first + j]), kImageSize, input.data() + j * image_floats);
    return input;
  };
  std::map<std::string, float> maxima;
  ProgressCounter done(progress, "calibrating", images.size());
  auto next = std::async(std::launch::async, prepare, size_t(0));
  for (size_t first = 0; first < images.size(); first += kBatch) {
    const std::vector<float> input = next.get();
    if (first + kBatch < images.size()) next = std::async(std::launch::async, prepare, first + kBatch);
    const int n = int(input.size() / image_floats);
    for (const auto& [name, value] : network.activation_max(input.data(), n)) {
      auto [it, fresh] = maxima.try_emplace(name, value);
      if (!fresh) it->second = std::max(it->second, value);
    }
    done.advance(size_t(n));
  }
  model.activation_max = std::move(maxima);
  model.calibration_images = int(images.size());
  return model;
}

}  // namespace blastscan
