// ONNX export checked by three independent readers: the ONNX checker and ONNX's own shape
// inference (libonnx), and OpenCV DNN's ONNX importer, whose probabilities and features must
// match blastscan's oneDNN network on the same input.
#include <gtest/gtest.h>

#include <onnx/checker.h>
#include <onnx/onnx_pb.h>
#include <onnx/shape_inference/implementation.h>
#include <opencv2/dnn.hpp>

#include <map>
#include <random>

#include <nlohmann/json.hpp>

#include "base/error.h"
#include "common/paths.h"
#include "formats/onnx_export.h"
#include "inception/network.h"
#include "inception/random_model.h"

namespace blastscan {
namespace {

onnx::ModelProto parse_onnx(const std::vector<uint8_t>& bytes) {
  onnx::ModelProto proto;
  EXPECT_TRUE(proto.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())));
  return proto;
}

std::map<std::string, std::string> metadata_of(const onnx::ModelProto& proto) {
  std::map<std::string, std::string> m;
  for (const auto& p : proto.metadata_props()) m[p.key()] = p.value();
  return m;
}

// Shape of a named value after ONNX's own shape inference, with -1 for symbolic dims.
std::vector<int64_t> inferred_shape(const onnx::ModelProto& proto, const std::string& name) {
  onnx::ModelProto copy = proto;
  onnx::shape_inference::InferShapes(copy);
  std::vector<const onnx::ValueInfoProto*> infos;
  for (const auto& v : copy.graph().value_info()) infos.push_back(&v);
  for (const auto& v : copy.graph().output()) infos.push_back(&v);
  for (const auto* v : infos) {
    if (v->name() != name) continue;
    std::vector<int64_t> dims;
    for (const auto& d : v->type().tensor_type().shape().dim()) dims.push_back(d.has_dim_value() ? d.dim_value() : -1);
    return dims;
  }
  ADD_FAILURE() << "no inferred shape for " << name;
  return {};
}

std::vector<float> random_input(int n, int size, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> uniform(-1.f, 1.f);
  std::vector<float> x(static_cast<size_t>(n) * size * size * 3);
  for (auto& v : x) v = uniform(rng);
  return x;
}

// OpenCV DNN forward of the exported bytes on NHWC input; returns the named outputs.
std::vector<cv::Mat> run_opencv(const std::vector<uint8_t>& onnx_bytes, std::vector<float>& input, int n, int size,
                                const std::vector<std::string>& outputs) {
  cv::dnn::Net net = cv::dnn::readNetFromONNX(reinterpret_cast<const char*>(onnx_bytes.data()), onnx_bytes.size());
  const int dims[] = {n, size, size, 3};
  net.setInput(cv::Mat(4, dims, CV_32F, input.data()), "input");
  std::vector<cv::Mat> out;
  std::vector<cv::String> names(outputs.begin(), outputs.end());
  net.forward(out, names);
  return out;
}

float max_abs_diff(const cv::Mat& opencv, const Tensor& ours) {
  EXPECT_EQ(opencv.total(), static_cast<size_t>(ours.size()));
  float worst = 0.f;
  const float* a = opencv.ptr<float>();
  for (int64_t i = 0; i < ours.size() && i < static_cast<int64_t>(opencv.total()); ++i)
    worst = std::max(worst, std::abs(a[i] - ours.data[static_cast<size_t>(i)]));
  return worst;
}

// ---- structure: checker, opset, shapes, metadata

TEST(OnnxExport, FullModelPassesCheckerAndShapeInferenceGivesSlimShapes) {
  const Model model = make_random_model("Mixed_7c", 2, 7);
  const onnx::ModelProto proto = parse_onnx(serialize_onnx(model));
  EXPECT_NO_THROW(onnx::checker::check_model(proto));
  ASSERT_EQ(proto.opset_import_size(), 1);
  EXPECT_EQ(proto.opset_import(0).version(), 13);
  EXPECT_EQ(proto.graph().input(0).name(), "input");
  EXPECT_EQ(proto.graph().output(0).name(), "InceptionV3/Predictions/Softmax");
  // End-point sizes from TF-Slim's inception_v3 (DESIGN.md), here in NCHW.
  EXPECT_EQ(inferred_shape(proto, "InceptionV3/Conv2d_1a_3x3/Relu"), (std::vector<int64_t>{-1, 32, 149, 149}));
  EXPECT_EQ(inferred_shape(proto, "InceptionV3/MaxPool_5a_3x3"), (std::vector<int64_t>{-1, 192, 35, 35}));
  EXPECT_EQ(inferred_shape(proto, "InceptionV3/Mixed_5b/concat"), (std::vector<int64_t>{-1, 256, 35, 35}));
  EXPECT_EQ(inferred_shape(proto, "InceptionV3/Mixed_6a/concat"), (std::vector<int64_t>{-1, 768, 17, 17}));
  EXPECT_EQ(inferred_shape(proto, "InceptionV3/Mixed_7a/concat"), (std::vector<int64_t>{-1, 1280, 8, 8}));
  EXPECT_EQ(inferred_shape(proto, "InceptionV3/Mixed_7c/concat"), (std::vector<int64_t>{-1, 2048, 8, 8}));
  EXPECT_EQ(inferred_shape(proto, "InceptionV3/Predictions/Softmax"), (std::vector<int64_t>{-1, 2}));
}

TEST(OnnxExport, MetadataStatesClassesPositiveAndPreprocessing) {
  Model model = make_random_model("Conv2d_2a_3x3", 2, 1);
  model.classes = {"healthy", "ALL"};
  model.positive = {"ALL"};
  const auto meta = metadata_of(parse_onnx(serialize_onnx(model)));
  EXPECT_EQ(nlohmann::json::parse(meta.at("classes")), nlohmann::json({"healthy", "ALL"}));
  EXPECT_EQ(nlohmann::json::parse(meta.at("positive_classes")), nlohmann::json({"ALL"}));
  EXPECT_EQ(meta.at("endpoint"), "Conv2d_2a_3x3");
  EXPECT_EQ(meta.at("input_layout"), "NHWC");
  EXPECT_EQ(meta.at("preprocessing"), "inception");
  EXPECT_EQ(meta.at("mean_values"), "127.5,127.5,127.5");
  EXPECT_EQ(meta.at("scale_values"), "127.5");
  EXPECT_NE(meta.at("preprocessing_description").find("299x299"), std::string::npos);
}

// A gray model's equalisation is not a mean/scale/crop: it is exported anyway, and the
// metadata and doc string say what the caller must do first.
TEST(OnnxExport, GrayModelExportsWithTheStepTheCallerMustDo) {
  Model model = make_random_model("Conv2d_2a_3x3", 2, 1);
  model.preprocessing = "gray";
  const auto proto = parse_onnx(serialize_onnx(model));
  const auto meta = metadata_of(proto);
  EXPECT_EQ(meta.at("preprocessing"), "gray");
  EXPECT_EQ(meta.at("preprocessing_by_numbers"), "false");
  EXPECT_NE(meta.at("preprocessing_step_before").find("equalizeHist"), std::string::npos);
  EXPECT_NE(proto.doc_string().find("equalizeHist"), std::string::npos) << proto.doc_string();
  EXPECT_EQ(meta.at("mean_values"), "127.5,127.5,127.5");
  EXPECT_EQ(meta.at("central_crop_fraction"), "0.875");
  model.preprocessing = "whole";
  const auto whole = metadata_of(parse_onnx(serialize_onnx(model)));
  EXPECT_EQ(whole.at("preprocessing_by_numbers"), "true");
  EXPECT_EQ(whole.at("preprocessing_step_before"), "none");
  EXPECT_EQ(whole.at("mean_values"), "128,128,128");
  EXPECT_EQ(whole.at("central_crop_fraction"), "1");
}

TEST(OnnxExport, BackboneOnlyModelOutputsTheGlobalAverage) {
  Model model = make_random_model("Mixed_5b", 2, 3);
  model.head.reset();
  const onnx::ModelProto proto = parse_onnx(serialize_onnx(model));
  EXPECT_NO_THROW(onnx::checker::check_model(proto));
  EXPECT_EQ(proto.graph().output(0).name(), "InceptionV3/Logits/AvgPool_1a_8x8");
  EXPECT_EQ(inferred_shape(proto, "InceptionV3/Logits/AvgPool_1a_8x8"), (std::vector<int64_t>{-1, 256, 1, 1}));
}

TEST(OnnxExport, SaveWritesAFileTheCheckerReads) {
  const auto path = testing::scratch_dir() / "m.onnx";
  save_onnx(make_random_model("Conv2d_2b_3x3", 3, 5), path);
  EXPECT_NO_THROW(onnx::checker::check_model(path.string()));
}

// ---- bad models are refused with the conv's name

TEST(OnnxExport, MissingOrMisshapenWeightsNameTheConv) {
  Model model = make_random_model("Conv2d_2a_3x3", 2, 1);
  Model missing = model;
  missing.convs.erase("Conv2d_2a_3x3");
  try {
    serialize_onnx(missing);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("Conv2d_2a_3x3"), std::string::npos) << e.what();
  }
  Model misshapen = model;
  misshapen.convs["Conv2d_2a_3x3"].weights = Tensor({3, 3, 32, 16});
  EXPECT_THROW(serialize_onnx(misshapen), Error);
  Model unknown = model;
  unknown.preprocessing = "sepia";
  EXPECT_THROW(serialize_onnx(unknown), Error);
}

// ---- numerics: OpenCV DNN on the .onnx vs blastscan's oneDNN network

void expect_opencv_matches_network(const std::string& endpoint, int n) {
  const Model model = make_random_model(endpoint, 2, 42);
  const int size = 299;
  std::vector<float> input = random_input(n, size, 11);
  Network network(model, {.batch = n});
  const NetworkOutput ours = network.run(input.data(), n);

  // OpenCV 4.6 names an inner ONNX node's layer "onnx_node!<node name>".
  const auto opencv = run_opencv(serialize_onnx(model), input, n, size,
                                 {"InceptionV3/Predictions/Softmax", "onnx_node!InceptionV3/Logits/AvgPool_1a_8x8"});
  EXPECT_LE(max_abs_diff(opencv[0], ours.probabilities), 1e-4f) << endpoint;
  // The features are a stronger check than the softmax, which random weights can saturate.
  float feature_scale = 0.f;
  for (float v : ours.features.data) feature_scale = std::max(feature_scale, std::abs(v));
  EXPECT_GT(feature_scale, 0.f);
  EXPECT_LE(max_abs_diff(opencv[1], ours.features), 1e-4f * std::max(1.f, feature_scale)) << endpoint;
}

TEST(OnnxExport, OpenCvAgreesWithNetworkUpToMixed5b) { expect_opencv_matches_network("Mixed_5b", 2); }

TEST(OnnxExport, OpenCvAgreesWithNetworkOnTheFullModel) { expect_opencv_matches_network("Mixed_7c", 1); }

}  // namespace
}  // namespace blastscan
