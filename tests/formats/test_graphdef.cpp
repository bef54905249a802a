// Frozen GraphDef import/export: round trip, both weight forms (biases, BatchNorm) checked
// against OpenCV DNN, end point choice, and every kind of bad file.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <fstream>
#include <map>
#include <random>

#include <opencv2/dnn.hpp>

#include "base/error.h"
#include "base/file_io.h"
#include "common/paths.h"
#include "formats/graphdef.h"
#include "inception/preprocessing_recipe.h"
#include "inception/network.h"
#include "inception/random_model.h"
#include "tensorflow_graph.pb.h"

namespace blastscan {
namespace {

tensorflow::GraphDef to_proto(const std::vector<uint8_t>& bytes) {
  tensorflow::GraphDef g;
  EXPECT_TRUE(g.ParseFromArray(bytes.data(), int(bytes.size())));
  return g;
}

std::vector<uint8_t> to_bytes(const tensorflow::GraphDef& g) {
  std::vector<uint8_t> bytes(g.ByteSizeLong());
  g.SerializeToArray(bytes.data(), int(bytes.size()));
  return bytes;
}

tensorflow::NodeDef* node_named(tensorflow::GraphDef& g, const std::string& name) {
  for (auto& n : *g.mutable_node())
    if (n.name() == name) return &n;
  return nullptr;
}

void add_vector_const(tensorflow::GraphDef& g, const std::string& name, const std::vector<float>& values) {
  auto* n = g.add_node();
  n->set_name(name);
  n->set_op("Const");
  (*n->mutable_attr())["dtype"].set_type(tensorflow::DT_FLOAT);
  auto* t = (*n->mutable_attr())["value"].mutable_tensor();
  t->set_dtype(tensorflow::DT_FLOAT);
  t->mutable_tensor_shape()->add_dim()->set_size(int64_t(values.size()));
  t->set_tensor_content(std::string(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(float)));
}

// (tensor_content, not float_val: OpenCV reads only the former.)
// Rewrites every backbone conv from Conv2D->BiasAdd->Relu into the form TF-Slim freezes:
// Conv2D->FusedBatchNorm(gamma, beta, moving_mean, moving_variance)->Relu, seeded values.
tensorflow::GraphDef with_batch_norm(tensorflow::GraphDef g) {
  std::mt19937 rng(5);
  std::uniform_real_distribution<float> u(0.5f, 1.5f), b(-0.2f, 0.2f);
  std::vector<std::string> scopes;
  for (const auto& n : g.node())
    if (n.op() == "Conv2D" && n.name().find("Logits") == std::string::npos)
      scopes.push_back(n.name().substr(0, n.name().size() - std::string("/Conv2D").size()));
  tensorflow::GraphDef out;
  for (const auto& n : g.node()) {
    const bool biases = n.name().size() > 7 && n.name().ends_with("/biases") && n.name().find("Logits") == std::string::npos;
    const bool bias_add = n.op() == "BiasAdd" && n.name().find("Logits") == std::string::npos;
    if (!biases && !bias_add) *out.add_node() = n;
  }
  for (const auto& s : scopes) {
    const auto oc = node_named(g, s + "/biases")->attr().at("value").tensor().tensor_shape().dim(0).size();
    std::vector<float> gamma, beta, mean, var;
    for (int64_t i = 0; i < oc; ++i) {
      gamma.push_back(u(rng));
      beta.push_back(b(rng));
      mean.push_back(b(rng));
      var.push_back(u(rng));
    }
    add_vector_const(out, s + "/BatchNorm/gamma", gamma);
    add_vector_const(out, s + "/BatchNorm/beta", beta);
    add_vector_const(out, s + "/BatchNorm/moving_mean", mean);
    add_vector_const(out, s + "/BatchNorm/moving_variance", var);
    auto* bn = out.add_node();
    bn->set_name(s + "/BatchNorm/FusedBatchNorm");
    bn->set_op("FusedBatchNorm");
    for (const char* in : {"/Conv2D", "/BatchNorm/gamma", "/BatchNorm/beta", "/BatchNorm/moving_mean", "/BatchNorm/moving_variance"})
      bn->add_input(s + in);
    (*bn->mutable_attr())["T"].set_type(tensorflow::DT_FLOAT);
    (*bn->mutable_attr())["epsilon"].set_f(0.001f);
    (*bn->mutable_attr())["is_training"].set_b(false);
    (*bn->mutable_attr())["data_format"].set_s("NHWC");
    node_named(out, s + "/Relu")->set_input(0, s + "/BatchNorm/FusedBatchNorm");
  }
  return out;
}

std::vector<float> random_images(int n, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(-1.f, 1.f);
  std::vector<float> v(size_t(n) * 299 * 299 * 3);
  for (auto& x : v) x = u(rng);
  return v;
}

cv::Mat opencv_features(const std::vector<uint8_t>& pb, const std::vector<float>& nhwc) {
  cv::dnn::Net net = cv::dnn::readNetFromTensorflow(reinterpret_cast<const char*>(pb.data()), pb.size());
  const int dims[] = {1, 299, 299, 3};
  cv::Mat in(4, dims, CV_32F, const_cast<float*>(nhwc.data())), nchw;
  cv::transposeND(in, {0, 3, 1, 2}, nchw);
  net.setInput(nchw);
  return net.forward("InceptionV3/Logits/AvgPool_1a_8x8").clone();
}

TEST(GraphDef, ExportThenImportGivesTheSameModel) {
  Model model = make_random_model("Mixed_6a", 3, 11);
  model.positive = {"class1", "class2"};
  model.preprocessing = "whole";
  const Model back = parse_graphdef(serialize_graphdef(model), "roundtrip.pb");
  EXPECT_EQ(back.endpoint, "Mixed_6a");
  EXPECT_EQ(back.classes, model.classes);
  EXPECT_EQ(back.positive, model.positive);
  EXPECT_TRUE(back == model);
  EXPECT_EQ(serialize_graphdef(back), serialize_graphdef(model));  // same model, same bytes
}

TEST(GraphDef, SaveWritesLabelsSidecarAndLoadReadsIt) {
  const auto dir = testing::scratch_dir();
  Model model = make_random_model("Conv2d_2a_3x3", 2, 3);
  model.classes = {"Benign", "ALL"};
  save_model(model, dir / "m.pb");
  EXPECT_EQ(read_text_file(dir / "labels.txt"), "0:Benign\n1:ALL\n");
  // A graph without the embedded names takes them from labels.txt, as the seed's did.
  auto g = to_proto(read_file(dir / "m.pb"));
  auto* nodes = g.mutable_node();
  nodes->erase(std::remove_if(nodes->begin(), nodes->end(), [](const auto& n) { return n.name() == "blastscan/metadata"; }),
               nodes->end());
  write_file_atomic(dir / "m.pb", to_bytes(g));
  EXPECT_EQ(load_model(dir / "m.pb").classes, model.classes);
}

TEST(GraphDef, BatchNormFormIsFoldedAndMatchesOpenCv) {
  const Model model = make_random_model("Mixed_5b", 0, 21);
  const auto pb = to_bytes(with_batch_norm(to_proto(serialize_graphdef(model))));
  const Model folded = parse_graphdef(pb, "bn.pb");
  ASSERT_EQ(folded.endpoint, "Mixed_5b");
  EXPECT_NE(folded.convs.at("Conv2d_1a_3x3").bias, model.convs.at("Conv2d_1a_3x3").bias);  // really refolded

  const auto image = random_images(1, 8);
  Network network(folded);
  const auto ours = network.run(image.data(), 1);
  const cv::Mat ref = opencv_features(pb, image);
  ASSERT_EQ(ref.total(), size_t(ours.features.size()));
  float max_diff = 0;
  for (int i = 0; i < ours.features.size(); ++i)
    max_diff = std::max(max_diff, std::abs(ours.features.data[size_t(i)] - ref.ptr<float>()[i]));
  EXPECT_LE(max_diff, 1e-3f);
}

TEST(GraphDef, AutoPicksTheDeepestCompleteEndpoint) {
  auto g = to_proto(serialize_graphdef(make_random_model("Mixed_5d", 0, 2)));
  // Drop one weight of Mixed_5d: the deepest complete end point becomes Mixed_5c.
  auto* nodes = g.mutable_node();
  nodes->erase(std::remove_if(nodes->begin(), nodes->end(),
                              [](const auto& n) { return n.name() == "InceptionV3/Mixed_5d/Branch_3/Conv2d_0b_1x1/weights"; }),
               nodes->end());
  EXPECT_EQ(parse_graphdef(to_bytes(g), "partial.pb").endpoint, "Mixed_5c");
  EXPECT_EQ(parse_graphdef(to_bytes(g), "partial.pb", {.endpoint = "Conv2d_4a_3x3"}).endpoint, "Conv2d_4a_3x3");
  EXPECT_THROW(parse_graphdef(to_bytes(g), "partial.pb", {.endpoint = "Mixed_5d"}), InputError);
  EXPECT_THROW(parse_graphdef(to_bytes(g), "partial.pb", {.endpoint = "Mixed_9z"}), InputError);
}

// TF2's convert_variables_to_constants_v2 names each frozen variable after its read op
// (S/Conv2D/ReadVariableOp/resource -> Identity S/Conv2D/ReadVariableOp -> Conv2D), not S/weights;
// the importer then finds the weights through the ops. tests/interop runs TensorFlow's own.
TEST(GraphDef, WeightsRenamedByTf2FreezingAreFoundThroughTheOpsThatReadThem) {
  const Model model = make_random_model("Mixed_5b", 2, 4);
  auto g = to_proto(serialize_graphdef(model));
  std::map<std::string, std::string> read_op;  // old Const name -> new Identity name
  for (auto& n : *g.mutable_node())
    for (auto& input : *n.mutable_input())
      if (input.ends_with("/weights") || input.ends_with("/biases")) {
        read_op[input] = n.name() + "/ReadVariableOp";
        input = n.name() + "/ReadVariableOp:0";
      }
  ASSERT_EQ(read_op.size(), 2 * model.convs.size() + 2);  // every conv and the head
  for (const auto& [old_name, identity] : read_op) {
    node_named(g, old_name)->set_name(identity + "/resource");
    auto* n = g.add_node();
    n->set_name(identity);
    n->set_op("Identity");
    n->add_input(identity + "/resource");
  }
  const Model back = parse_graphdef(to_bytes(g), "tf2_frozen.pb");
  EXPECT_EQ(back.endpoint, "Mixed_5b");
  EXPECT_TRUE(back == model);
}

TEST(GraphDef, TheSharedImageNetGraphLoadsToMixed7a) {
  const Model model = load_model(testing::backbone_pb());
  EXPECT_EQ(model.endpoint, "Mixed_7a");
  EXPECT_FALSE(model.head.has_value());
  EXPECT_EQ(model.parameter_count(), 10653472);  // models/README.md
}

// Each bad file gives one InputError naming the file and the problem.
void expect_error(const std::vector<uint8_t>& bytes, const std::string& needle) {
  try {
    parse_graphdef(bytes, "bad.pb");
    ADD_FAILURE() << "no error; expected one mentioning '" << needle << "'";
  } catch (const InputError& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("bad.pb"), std::string::npos) << message;
    EXPECT_NE(message.find(needle), std::string::npos) << message;
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  }
}

// A model naming a preprocessing no recipe describes is refused when it is read, naming the
// metadata node and the known recipes (not later, at the first image).
TEST(GraphDef, AnUnknownPreprocessingIsRefusedAtLoad) {
  Model model = make_random_model("Conv2d_2a_3x3", 2, 3);
  model.preprocessing = "sepia";
  try {
    parse_graphdef(serialize_graphdef(model), "sepia.pb");
    FAIL() << "a model with preprocessing 'sepia' loaded";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("sepia.pb: node 'blastscan/metadata': unknown preprocessing 'sepia' (known: "
                                         "inception, whole, gray, gray-clahe, reinhard, white-balance)"),
              std::string::npos)
        << e.what();
  }
  for (const auto& recipe : preprocessing_recipes()) {  // every recipe travels with the model
    model.preprocessing = std::string(recipe.name);
    EXPECT_EQ(parse_graphdef(serialize_graphdef(model), "m.pb").preprocessing, recipe.name);
  }
}

TEST(GraphDef, BadFilesAreClearErrors) {
  const auto good = serialize_graphdef(make_random_model("Mixed_5b", 2, 4));
  expect_error({}, "empty file");
  expect_error(std::vector<uint8_t>(good.begin(), good.begin() + long(good.size() / 2)), "");
  std::vector<uint8_t> garbage(4096);
  std::mt19937 rng(1);
  for (auto& b : garbage) b = uint8_t(rng());
  expect_error(garbage, "");
  const std::string text = "this is not a protobuf";
  expect_error({text.begin(), text.end()}, "");

  auto g = to_proto(good);
  node_named(g, "InceptionV3/Mixed_5b/Branch_1/Conv2d_0b_5x5/Conv2D")->set_op("FancyConv");
  expect_error(to_bytes(g), "unknown op 'FancyConv'");

  g = to_proto(good);
  auto* weights = node_named(g, "InceptionV3/Mixed_5b/Branch_1/Conv2d_0b_5x5/weights")->mutable_attr()->at("value").mutable_tensor();
  weights->mutable_tensor_shape()->mutable_dim(2)->set_size(32);  // [5,5,48,64] claimed as [5,5,32,64]
  expect_error(to_bytes(g), "tensor_content has 307200 bytes");
  weights->mutable_tensor_content()->resize(5 * 5 * 32 * 64 * 4);  // now consistent, but the wrong shape
  expect_error(to_bytes(g), "shape [5,5,32,64], expected [5,5,48,64]");

  g = to_proto(good);
  node_named(g, "InceptionV3/Conv2d_2a_3x3/Conv2D")->mutable_attr()->at("padding").set_s("SAME");
  expect_error(to_bytes(g), "padding SAME, expected VALID");

  // Forms TensorFlow writes that blastscan does not compute: refused by attribute.
  g = to_proto(good);
  node_named(g, "InceptionV3/Conv2d_2a_3x3/Conv2D")->mutable_attr()->at("data_format").set_s("NCHW");
  expect_error(to_bytes(g), "data_format 'NCHW' is not supported");
  g = to_proto(good);
  node_named(g, "InceptionV3/Conv2d_2a_3x3/Conv2D")->mutable_attr()->at("dilations").mutable_list()->set_i(1, 2);
  expect_error(to_bytes(g), "dilated convolutions are not supported");
  g = to_proto(good);
  node_named(g, "InceptionV3/Mixed_5b/concat")->mutable_attr()->at("T").set_type(tensorflow::DT_HALF);
  expect_error(to_bytes(g), "attribute 'T' is DT_HALF, only DT_FLOAT is supported");

  tensorflow::GraphDef unrelated;
  unrelated.add_node()->set_name("x");
  expect_error(to_bytes(unrelated), "no Inception V3 weights");
}

// Models that would answer wrongly without a word are refused at load, with one line each.
TEST(GraphDef, NonFiniteWeightsZeroClassesAndDuplicateNodesAreRefused) {
  const auto good = serialize_graphdef(make_random_model("Conv2d_2a_3x3", 2, 4));
  const auto poke = [&](const std::string& node, size_t index, float value) {
    auto g = to_proto(good);
    auto* content = node_named(g, node)->mutable_attr()->at("value").mutable_tensor()->mutable_tensor_content();
    std::memcpy(content->data() + 4 * index, &value, 4);
    return to_bytes(g);
  };
  expect_error(poke("InceptionV3/Logits/Conv2d_1c_1x1/biases", 1, std::nanf("")),
               "node 'InceptionV3/Logits/Conv2d_1c_1x1/biases': holds NaN values (the first at index 1)");
  expect_error(poke("InceptionV3/Conv2d_1a_3x3/weights", 7, INFINITY), "holds infinite values (the first at index 7)");

  auto g = to_proto(good);  // a head of shape [1,1,C,0]
  for (const char* name : {"InceptionV3/Logits/Conv2d_1c_1x1/weights", "InceptionV3/Logits/Conv2d_1c_1x1/biases"}) {
    auto* tensor = node_named(g, name)->mutable_attr()->at("value").mutable_tensor();
    auto* shape = tensor->mutable_tensor_shape();
    shape->mutable_dim(shape->dim_size() - 1)->set_size(0);
    tensor->clear_tensor_content();
  }
  expect_error(to_bytes(g), "a head with no classes");

  g = to_proto(good);
  *g.add_node() = *node_named(g, "InceptionV3/Conv2d_1a_3x3/weights");  // the same name again
  expect_error(to_bytes(g), "node 'InceptionV3/Conv2d_1a_3x3/weights': defined twice");
}

// Finite BatchNorm constants can still fold into non-finite weights (found by fuzz_graphdef: a
// variance of -epsilon loaded, and the model written back no longer did).
TEST(GraphDef, ABatchNormThatFoldsIntoNonFiniteWeightsIsRefused) {
  const auto good = with_batch_norm(to_proto(serialize_graphdef(make_random_model("Conv2d_2a_3x3", 2, 4))));
  EXPECT_NO_THROW(parse_graphdef(to_bytes(good), "bn.pb"));
  const auto with_values = [&](const std::vector<std::pair<std::string, float>>& values) {  // at channel 3
    auto g = good;
    for (const auto& [constant, value] : values) {
      auto* node = node_named(g, "InceptionV3/Conv2d_1a_3x3/BatchNorm/" + constant);
      std::memcpy(node->mutable_attr()->at("value").mutable_tensor()->mutable_tensor_content()->data() + 4 * 3, &value, 4);
    }
    return to_bytes(g);
  };
  expect_error(with_values({{"moving_variance", -0.001f}}),
               "conv 'InceptionV3/Conv2d_1a_3x3': BatchNorm moving_variance + epsilon is 0 at channel 3, expected > 0");
  expect_error(with_values({{"moving_variance", -5.f}}), "moving_variance + epsilon is -4.999 at channel 3");
  expect_error(with_values({{"gamma", 3e38f}, {"moving_variance", -0.00099f}}),
               "BatchNorm folded into the weights overflows float");
}

// blastscan computes from its own topology table, so a node fed by its own output (a cycle no
// frozen graph has: TensorFlow refuses it) loaded and answered as if the file were whole.
TEST(GraphDef, AGraphWithACycleIsRefused) {
  const auto good = serialize_graphdef(make_random_model("Conv2d_2a_3x3", 2, 4));
  EXPECT_NO_THROW(parse_graphdef(good, "m.pb"));
  auto g = to_proto(good);
  auto* relu = node_named(g, "InceptionV3/Conv2d_2a_3x3/Relu");
  relu->set_input(0, relu->name());
  expect_error(to_bytes(g), "node 'InceptionV3/Conv2d_2a_3x3/Relu': takes its own output as input");

  g = to_proto(good);  // around a loop of two, through an output port and a control input
  node_named(g, "InceptionV3/Conv2d_1a_3x3/Conv2D")->set_input(0, "InceptionV3/Conv2d_2a_3x3/Relu:0");
  expect_error(to_bytes(g), "(a frozen graph has no cycles)");
  g = to_proto(good);
  node_named(g, "InceptionV3/Conv2d_1a_3x3/Conv2D")->add_input("^InceptionV3/Conv2d_2a_3x3/Relu");
  expect_error(to_bytes(g), "(a frozen graph has no cycles)");
}

TEST(GraphDef, ClassNamesMustBeUniqueShowableAndIncludeTheAllClasses) {
  const auto dir = testing::scratch_dir();
  const auto refused = [&](Model model, const std::string& needle) {
    write_file_atomic(dir / "m.pb", serialize_graphdef(model));  // what another writer might produce
    try {
      load_model(dir / "m.pb");
      ADD_FAILURE() << "loaded; expected an error mentioning '" << needle << "'";
    } catch (const InputError& e) {
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    }
    EXPECT_THROW(save_model(model, dir / "saved.pb"), InputError);  // and blastscan never writes one
  };
  Model model = make_random_model("Conv2d_2a_3x3", 2, 3);
  model.classes = {"Benign", "Benign"};
  refused(model, "class 'Benign' is named twice");
  model.classes = {"Benign", "ALL"};
  model.positive = {"Pro"};
  refused(model, "ALL class 'Pro' is not one of the model's classes");
  model.classes = {"Benign", "ALL\n2:forged"};
  model.positive = {};
  refused(model, "holds a control character");
  model.classes = {"Benign", "\x1b[31mALL"};
  refused(model, "holds a control character");
}

// A blastscan file cut short at a node boundary loses blastscan/metadata (the last node): its
// classes and which of them mean ALL. It used to load anyway and answer "not ALL" to a Pro cell.
TEST(GraphDef, AModelWithoutMetadataNeedsLabelsThatSayWhichClassesMeanAll) {
  const auto dir = testing::scratch_dir();
  Model model = make_random_model("Conv2d_2a_3x3", 4, 3);
  model.classes = {"Benign", "Early", "Pre", "Pro"};
  model.positive = {"Early", "Pre", "Pro"};
  auto g = to_proto(serialize_graphdef(model));
  g.mutable_node()->RemoveLast();
  ASSERT_EQ(g.node_size() > 0 && g.node(g.node_size() - 1).name() != "blastscan/metadata", true);
  write_file_atomic(dir / "m.pb", to_bytes(g));
  try {
    load_model(dir / "m.pb");
    ADD_FAILURE() << "a model without class names loaded";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("no 'blastscan/metadata' node"), std::string::npos) << e.what();
  }
  write_file_atomic(dir / "labels.txt", std::string_view("0:Benign\n1:Early\n2:Pre\n3:Pro\n"));
  EXPECT_EQ(load_model(dir / "m.pb").positive, model.positive);  // the seed's form: labels.txt beside it
  write_file_atomic(dir / "labels.txt", std::string_view("0:A\n1:B\n2:C\n3:D\n"));
  try {
    load_model(dir / "m.pb");
    ADD_FAILURE() << "loaded without knowing which classes mean ALL";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("do not say which classes mean ALL"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace blastscan
