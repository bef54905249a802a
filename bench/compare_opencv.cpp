// blastscan vs OpenCV DNN on the same frozen .pb, the same input and the same thread count, in
// one process: ms/image for each at batch 1 (and any other batch given) and the ratio.
// Usage: compare_opencv [MODEL.pb [THREADS [BATCH ...]]]; a model with no head is compared at
// its feature output (Logits/AvgPool_1a_8x8), a model with a head at Predictions/Softmax.
#include <omp.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>

#include <opencv2/core.hpp>
#include <opencv2/dnn.hpp>

#include "base/timing.h"
#include "formats/graphdef.h"
#include "inception/network.h"

int main(int argc, char** argv) try {
  using namespace blastscan;
  const std::string shared = std::getenv("BLASTSCAN_SHARED") ? std::getenv("BLASTSCAN_SHARED") : "../shared";
  const std::string path = argc > 1 ? argv[1] : shared + "/models/inception_v3_imagenet_2015_mixed7a.pb";
  const int threads = argc > 2 ? std::stoi(argv[2]) : default_thread_count();
  std::vector<int> batches;
  for (int i = 3; i < argc; ++i) batches.push_back(std::stoi(argv[i]));
  if (batches.empty()) batches = {1};
  const int runs = std::getenv("BLASTSCAN_BENCH_RUNS") ? std::max(1, std::atoi(std::getenv("BLASTSCAN_BENCH_RUNS"))) : 20;

  const Model model = load_model(path);
  cv::setNumThreads(threads);
  cv::dnn::Net net = cv::dnn::readNetFromTensorflow(path);
  const std::string output = model.head ? "InceptionV3/Predictions/Softmax" : "InceptionV3/Logits/AvgPool_1a_8x8";
  std::printf("cpu: %s\nmodel: %s (%s), threads: %d\n", cpu_isa_description().c_str(), path.c_str(),
              model.endpoint.c_str(), threads);
  std::printf("%5s %14s %14s %8s %10s\n", "batch", "blastscan ms", "opencv ms", "ratio", "max |diff|");
  for (int batch : batches) {
    std::vector<float> input(size_t(batch) * 299 * 299 * 3);
    std::mt19937 rng(3);
    std::uniform_real_distribution<float> u(-1.f, 1.f);
    for (auto& x : input) x = u(rng);
    const int nhwc_dims[] = {batch, 299, 299, 3};
    cv::Mat nchw;
    cv::transposeND(cv::Mat(4, nhwc_dims, CV_32F, input.data()), {0, 3, 1, 2}, nchw);

    Network network(model, {.batch = batch, .threads = threads});
    NetworkOutput ours;
    cv::Mat theirs;
    // Two warm-up runs, then the median of at least 20 (bench/compare.sh's rule; it may ask for
    // another count through $BLASTSCAN_BENCH_RUNS).
    const Timing a = time_runs([&] { ours = network.run(input.data(), batch); }, 2, runs, 0);
    const Timing b = time_runs([&] {
      net.setInput(nchw);
      theirs = net.forward(output);
    }, 2, runs, 0);
    const Tensor& mine = model.head ? ours.probabilities : ours.features;
    float diff = 0;
    for (int64_t i = 0; i < mine.size(); ++i) diff = std::max(diff, std::abs(mine.data[size_t(i)] - theirs.ptr<float>()[i]));
    std::printf("%5d %14.1f %14.1f %8.2f %10.2g\n", batch, a.median_ms / batch, b.median_ms / batch,
                a.median_ms / b.median_ms, double(diff));
  }
  return 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "compare_opencv: %s\n", e.what());
  return 1;
}
