// The mutation corpus: hundreds of damaged model files and images through the real binary
// (`blastscan info`, `blastscan classify`), each under a timeout. Every case ends in a success
// with finite answers, one clear error line and a non-zero exit, or an error row among good
// rows; never a signal, a hang, a sanitizer report or a NaN printed as an answer. Mutants are
// made in memory from a small model with a head (the form `train` writes), the shared backbone
// and a shared image, and written to tmpfs; the ASan build runs the same cases.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <map>
#include <random>
#include <sstream>

#include <jpeglib.h>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <zlib.h>

#include "base/file_io.h"
#include "cli/model_fixture.h"
#include "cli/mutation_runner.h"
#include "tensorflow_graph.pb.h"

namespace blastscan {
namespace {

using namespace blastscan::testing;
using Bytes = std::vector<uint8_t>;

constexpr int kTimeout = 60;  // seconds per case: a hang guard, far above any honest run

// A fresh folder on tmpfs when there is one (hundreds of files written and read once).
fs::path mutant_dir() {
  const fs::path shm = "/dev/shm";
  if (!fs::is_directory(shm)) return scratch_dir();
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  const fs::path dir = shm / ("blastscan-" + std::to_string(getpid()) + "-" + info->name());
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

struct Mutant {
  std::string name;
  Bytes bytes;
};

// ---- byte-level mutations

Bytes flip_bits(Bytes b, std::mt19937& rng, int flips) {
  for (int i = 0; i < flips; ++i) b[rng() % b.size()] ^= uint8_t(1u << (rng() % 8));
  return b;
}

Bytes truncate(const Bytes& b, size_t n) { return Bytes(b.begin(), b.begin() + std::min(n, b.size())); }

// ---- GraphDef-level mutations of a model (the proto with TensorFlow's field numbers)

tensorflow::GraphDef parse(const Bytes& bytes) {
  tensorflow::GraphDef g;
  EXPECT_TRUE(g.ParseFromArray(bytes.data(), int(bytes.size())));
  return g;
}

Bytes serialize(const tensorflow::GraphDef& g) {
  std::string s = g.SerializeAsString();
  return Bytes(s.begin(), s.end());
}

// Indices of the Const nodes holding float weights as bytes (…/weights, …/biases, BatchNorm).
std::vector<int> weight_nodes(const tensorflow::GraphDef& g) {
  std::vector<int> out;
  for (int i = 0; i < g.node_size(); ++i)
    if (const auto value = g.node(i).attr().find("value"); g.node(i).op() == "Const" && value != g.node(i).attr().end() &&
        value->second.tensor().dtype() == tensorflow::DT_FLOAT && value->second.tensor().tensor_content().size() >= 8)
      out.push_back(i);
  return out;
}

tensorflow::TensorProto& tensor_of(tensorflow::GraphDef& g, int node) {
  return *(*g.mutable_node(node)->mutable_attr())["value"].mutable_tensor();
}

void set_float(tensorflow::TensorProto& t, size_t index, float value) {
  std::string& content = *t.mutable_tensor_content();
  std::memcpy(content.data() + 4 * (index % (content.size() / 4)), &value, 4);
}

// The structural mutants of one model: each is a file a loader must refuse with one line.
std::vector<Mutant> structural_mutants(const Bytes& model, std::mt19937& rng, int per_kind) {
  const tensorflow::GraphDef base = parse(model);
  const std::vector<int> weights = weight_nodes(base);
  std::vector<Mutant> out;
  auto add = [&](const std::string& kind, int i, auto edit) {
    tensorflow::GraphDef g = base;
    const int node = weights[rng() % weights.size()];
    edit(g, node);
    out.push_back({kind + "_" + std::to_string(i) + ".pb", serialize(g)});
  };
  const float nan = std::nanf(""), inf = INFINITY;
  for (int i = 0; i < per_kind; ++i) {
    add("nan", i, [&](auto& g, int n) { set_float(tensor_of(g, n), rng(), nan); });
    add("inf", i, [&](auto& g, int n) { set_float(tensor_of(g, n), rng(), i % 2 ? inf : -inf); });
    add("huge_shape", i, [&](auto& g, int n) {  // declared far larger than its bytes (or overflowing)
      auto* dim = tensor_of(g, n).mutable_tensor_shape()->mutable_dim(0);
      dim->set_size(i % 3 == 0 ? (int64_t(1) << 40) : i % 3 == 1 ? INT64_MAX : (int64_t(1) << 33) + 1);
    });
    add("one_value_huge_shape", i, [&](auto& g, int n) {  // TF's broadcast form: one float_val fills the shape
      auto& t = tensor_of(g, n);
      t.clear_tensor_content();
      t.add_float_val(0.5f);
      t.mutable_tensor_shape()->mutable_dim(0)->set_size(int64_t(1) << (30 + i % 20));
    });
    add("zero_dim", i, [&](auto& g, int n) { tensor_of(g, n).mutable_tensor_shape()->mutable_dim(0)->set_size(0); });
    add("negative_dim", i, [&](auto& g, int n) {
      tensor_of(g, n).mutable_tensor_shape()->mutable_dim(0)->set_size(i % 2 ? -1 : -3);
    });
    add("short_content", i, [&](auto& g, int n) {
      auto& c = *tensor_of(g, n).mutable_tensor_content();
      c.resize(c.size() - 1 - rng() % std::min<size_t>(c.size() - 1, 64));
    });
    add("wrong_dtype", i, [&](auto& g, int n) {
      tensor_of(g, n).set_dtype(i % 3 == 0 ? tensorflow::DT_DOUBLE : i % 3 == 1 ? tensorflow::DT_STRING : tensorflow::DT_INVALID);
    });
    add("duplicate_name", i, [&](auto& g, int n) {  // a second node of the same name with other values
      auto* twin = g.add_node();
      *twin = g.node(n);
      set_float(tensor_of(g, g.node_size() - 1), 0, 3.f);
    });
  }
  // A node that takes itself as input (a cycle), at nodes spread over the graph.
  std::vector<int> with_inputs;
  for (int i = 0; i < base.node_size(); ++i)
    if (base.node(i).input_size() > 0) with_inputs.push_back(i);
  for (int k = 0; k < per_kind && !with_inputs.empty(); ++k) {
    const int i = with_inputs[k * with_inputs.size() / per_kind];
    tensorflow::GraphDef g = base;
    g.mutable_node(i)->set_input(0, g.node(i).name());
    out.push_back({"self_input_" + std::to_string(k) + ".pb", serialize(g)});
  }
  return out;
}

// Length-delimited fields whose varint length claims ~2 GiB, 4 GiB or 2^63 bytes, alone and
// after a whole model; and an over-long (11-byte) varint.
std::vector<Mutant> varint_mutants(const Bytes& model) {
  const std::vector<Bytes> lengths = {{0x80, 0x80, 0x80, 0x80, 0x08},
                                      {0xff, 0xff, 0xff, 0xff, 0x0f},
                                      {0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01},
                                      {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}};
  std::vector<Mutant> out;
  for (size_t i = 0; i < lengths.size(); ++i)
    for (bool after_model : {false, true}) {
      Bytes b = after_model ? model : Bytes{};
      b.push_back(0x0a);  // GraphDef.node, length-delimited
      b.insert(b.end(), lengths[i].begin(), lengths[i].end());
      b.insert(b.end(), {0x0a, 0x01, 'x'});
      out.push_back({"varint_" + std::to_string(i) + (after_model ? "_after_model.pb" : ".pb"), b});
    }
  return out;
}

// Models whose weights are whole but whose classes cannot be answered with.
std::vector<Mutant> head_mutants(const Bytes& model) {
  const tensorflow::GraphDef base = parse(model);
  std::vector<Mutant> out;
  auto edit_metadata = [&](const std::string& name, auto edit) {
    tensorflow::GraphDef g = base;
    for (auto& node : *g.mutable_node())
      if (node.name() == "blastscan/metadata") {
        auto* s = (*node.mutable_attr())["value"].mutable_tensor()->mutable_string_val(0);
        nlohmann::json j = nlohmann::json::parse(*s);
        edit(j, *s);
      }
    out.push_back({name, serialize(g)});
  };
  edit_metadata("unknown_positive.pb", [](auto& j, auto& s) { j["positive"] = {"Leukemia"}, s = j.dump(); });
  edit_metadata("duplicate_classes.pb", [](auto& j, auto& s) { j["classes"] = {"ALL", "ALL"}, s = j.dump(); });
  edit_metadata("three_classes_two_outputs.pb", [](auto& j, auto& s) { j["classes"] = {"a", "b", "c"}, s = j.dump(); });
  edit_metadata("metadata_not_json.pb", [](auto&, auto& s) { s = "{\"classes\": [\"a\", "; });
  edit_metadata("metadata_wrong_types.pb", [](auto& j, auto& s) { j["classes"] = 7, s = j.dump(); });
  {  // a head with zero classes
    tensorflow::GraphDef g = base;
    for (auto& node : *g.mutable_node())
      if (node.name().find("Logits/Conv2d_1c_1x1/") != std::string::npos && node.op() == "Const") {
        auto& t = *(*node.mutable_attr())["value"].mutable_tensor();
        auto* shape = t.mutable_tensor_shape();
        shape->mutable_dim(shape->dim_size() - 1)->set_size(0);
        t.clear_tensor_content();
      }
    out.push_back({"zero_classes.pb", serialize(g)});
  }
  return out;
}

std::vector<std::string> write_all(const fs::path& dir, const std::vector<Mutant>& mutants) {
  std::vector<std::string> paths;
  for (const auto& m : mutants) {
    write_file_atomic(dir / m.name, m.bytes);
    paths.push_back((dir / m.name).string());
  }
  return paths;
}

std::string image_arg() { return (shared_dir() / "data" / "taleqani" / "Pro" / "WBC-Malignant-Pro-001.jpg").string(); }

// Finite probabilities in [0,1] for every row that has no error.
std::string bad_answers(const std::string& json_text) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(json_text);
  } catch (const std::exception&) {
    return "not JSON: " + json_text.substr(0, 200);
  }
  for (const auto& row : j.at("images")) {
    if (row.contains("error") && !row["error"].is_null() && row["error"] != "") continue;
    if (!row["confidence"].is_number() || !(row["confidence"] >= 0.0 && row["confidence"] <= 1.0))
      return "confidence " + row["confidence"].dump() + " for " + row.value("path", "?");
    for (const auto& [name, p] : row.at("probabilities").items())
      if (!p.is_number() || !std::isfinite(p.template get<double>())) return "probability " + p.dump() + " for " + name;
  }
  return "";
}

// ---- models

// Every mutant through `info`; those it accepts (and have a head) also through `classify`.
void check_model_mutants(const std::vector<std::string>& paths, bool must_refuse, int classify_share) {
  const std::vector<Outcome> info = [&] {
    std::vector<std::string> args;
    for (const auto& p : paths) args.push_back("info " + p);
    return run_blastscan_all(args, kTimeout);
  }();
  std::vector<std::string> classify_args, classified;
  for (size_t i = 0; i < paths.size(); ++i) {
    EXPECT_EQ(unclean(info[i], paths[i]), "") << "info " << paths[i] << " (exit " << info[i].status << "):\n" << info[i].output << info[i].errors;
    if (must_refuse) {
      EXPECT_EQ(info[i].status, 1) << "info accepted " << paths[i] << ":\n" << info[i].output;
    }
    for (const char* word : {"nan", "inf"})
      EXPECT_EQ(info[i].output.find(std::string(" ") + word), std::string::npos) << paths[i] << ":\n" << info[i].output;
    if (info[i].status == 0 && info[i].output.find("classes:") != std::string::npos &&
        int(classify_args.size()) < classify_share) {
      classify_args.push_back("classify --format json --model " + paths[i] + " " + image_arg());
      classified.push_back(paths[i]);
    }
  }
  const auto results = run_blastscan_all(classify_args, kTimeout);
  for (size_t i = 0; i < results.size(); ++i) {
    EXPECT_EQ(unclean(results[i], classified[i]), "") << classify_args[i] << ":\n" << results[i].errors;
    if (results[i].status == 0) {
      EXPECT_EQ(bad_answers(results[i].output), "") << classify_args[i];
    }
  }
}

Bytes small_model_bytes() { return read_file(small_model_pb()); }

TEST(ModelMutants, BitFlipsAndTruncationsOfASmallModelWithAHead) {
  const fs::path dir = mutant_dir();
  const Bytes model = small_model_bytes();
  std::mt19937 rng(1);
  std::vector<Mutant> mutants;
  for (int i = 0; i < 100; ++i) mutants.push_back({"flip_" + std::to_string(i) + ".pb", flip_bits(model, rng, 1 + i % 8)});
  for (int i = 0; i < 60; ++i) mutants.push_back({"cut_" + std::to_string(i) + ".pb", truncate(model, rng() % model.size())});
  mutants.push_back({"empty.pb", {}});
  check_model_mutants(write_all(dir, mutants), /*must_refuse=*/false, /*classify_share=*/40);
  fs::remove_all(dir);
}

TEST(ModelMutants, StructuralDamageIsRefusedAtLoad) {
  const fs::path dir = mutant_dir();
  const Bytes model = small_model_bytes();
  std::mt19937 rng(2);
  std::vector<Mutant> mutants = structural_mutants(model, rng, 12);
  for (auto& m : varint_mutants(model)) mutants.push_back(std::move(m));
  for (auto& m : head_mutants(model)) mutants.push_back(std::move(m));
  ASSERT_GE(mutants.size(), 120u);
  check_model_mutants(write_all(dir, mutants), /*must_refuse=*/true, /*classify_share=*/0);
  fs::remove_all(dir);
}

// The 42 MB backbone, a few mutants at a time (each written, run and removed).
TEST(ModelMutants, BitFlipsTruncationsAndDamageOfTheSharedBackbone) {
  if (!fs::exists(backbone_pb())) GTEST_SKIP() << "no shared backbone at " << backbone_pb();
  const fs::path dir = mutant_dir();
  const Bytes backbone = read_file(backbone_pb());
  std::mt19937 rng(3);
  std::vector<Mutant> batch;
  int cases = 0;
  auto flush = [&](bool must_refuse) {
    check_model_mutants(write_all(dir, batch), must_refuse, 0);
    for (const auto& m : batch) fs::remove(dir / m.name);
    cases += int(batch.size());
    batch.clear();
  };
  for (int i = 0; i < 12; ++i) {
    batch.push_back({"flip_" + std::to_string(i) + ".pb", flip_bits(backbone, rng, 1 + i % 4)});
    batch.push_back({"cut_" + std::to_string(i) + ".pb", truncate(backbone, rng() % backbone.size())});
    if (batch.size() == 4) flush(false);
  }
  std::vector<Mutant> damaged = structural_mutants(backbone, rng, 1);
  damaged.resize(10);  // one of each kind
  for (auto& m : damaged) {
    batch.push_back(std::move(m));
    if (batch.size() == 3) flush(true);
  }
  flush(true);
  EXPECT_GE(cases, 33);
  fs::remove_all(dir);
}

// ---- images

Bytes encode(const std::string& ext, const cv::Mat& img) {
  std::vector<uint8_t> bytes;
  EXPECT_TRUE(cv::imencode(ext, img, bytes)) << ext;
  return bytes;
}

void put_be(Bytes& b, size_t at, uint32_t v, int n) {
  for (int i = 0; i < n; ++i) b[at + i] = uint8_t(v >> (8 * (n - 1 - i)));
}
void put_le(Bytes& b, size_t at, uint32_t v, int n) {
  for (int i = 0; i < n; ++i) b[at + i] = uint8_t(v >> (8 * i));
}

// A PNG whose IHDR claims w x h, with the chunk's CRC made right again (so libpng reads it).
Bytes png_claiming(Bytes png, uint32_t w, uint32_t h) {
  put_be(png, 16, w, 4);
  put_be(png, 20, h, 4);
  put_be(png, 29, uint32_t(crc32(0, png.data() + 12, 17)), 4);
  return png;
}

// A JPEG whose frame header (SOF0/SOF2) claims w x h (16 bits each).
Bytes jpeg_claiming(Bytes jpeg, uint16_t w, uint16_t h) {
  for (size_t i = 2; i + 9 < jpeg.size(); ++i)
    if (jpeg[i] == 0xff && (jpeg[i + 1] == 0xc0 || jpeg[i + 1] == 0xc2)) {
      put_be(jpeg, i + 5, h, 2);
      put_be(jpeg, i + 7, w, 2);
      break;
    }
  return jpeg;
}

// A BMP whose info header claims w x h (h < 0: rows stored top-down).
Bytes bmp_claiming(Bytes bmp, int32_t w, int32_t h) {
  put_le(bmp, 18, uint32_t(w), 4);
  put_le(bmp, 22, uint32_t(h), 4);
  return bmp;
}

// A little-endian TIFF whose first IFD's ImageWidth/ImageLength claim w x h (as LONGs).
Bytes tiff_claiming(Bytes tiff, uint32_t w, uint32_t h) {
  const uint32_t ifd = tiff[4] | tiff[5] << 8 | tiff[6] << 16 | uint32_t(tiff[7]) << 24;
  const int entries = tiff[ifd] | tiff[ifd + 1] << 8;
  for (int e = 0; e < entries; ++e) {
    const size_t at = ifd + 2 + 12 * e;
    const int tag = tiff[at] | tiff[at + 1] << 8;
    if (tag != 256 && tag != 257) continue;
    put_le(tiff, at + 2, 4, 2);  // type LONG
    put_le(tiff, at + 4, 1, 4);  // count
    put_le(tiff, at + 8, tag == 256 ? w : h, 4);
  }
  return tiff;
}

// A CMYK JPEG (Adobe-style, as scanners and print workflows write), through libjpeg.
Bytes cmyk_jpeg(int w, int h) {
  jpeg_compress_struct c{};
  jpeg_error_mgr err{};
  c.err = jpeg_std_error(&err);
  jpeg_create_compress(&c);
  unsigned char* out = nullptr;
  unsigned long size = 0;
  jpeg_mem_dest(&c, &out, &size);
  c.image_width = w, c.image_height = h, c.input_components = 4, c.in_color_space = JCS_CMYK;
  jpeg_set_defaults(&c);
  jpeg_start_compress(&c, TRUE);
  std::vector<uint8_t> row(size_t(w) * 4);
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w * 4; ++x) row[x] = uint8_t(x * 3 + y);
    JSAMPROW rows[] = {row.data()};
    jpeg_write_scanlines(&c, rows, 1);
  }
  jpeg_finish_compress(&c);
  jpeg_destroy_compress(&c);
  Bytes bytes(out, out + size);
  free(out);
  return bytes;
}

// A two-frame animated GIF89a (2x2, NETSCAPE looping extension), written byte by byte.
Bytes animated_gif() {
  Bytes b = {'G', 'I', 'F', '8', '9', 'a', 2, 0, 2, 0, 0x80, 0, 0, 0, 0, 0, 255, 255, 255};
  const Bytes loop = {0x21, 0xff, 0x0b, 'N', 'E', 'T', 'S', 'C', 'A', 'P', 'E', '2', '.', '0', 3, 1, 0, 0, 0};
  b.insert(b.end(), loop.begin(), loop.end());
  for (int frame = 0; frame < 2; ++frame) {
    const Bytes gce = {0x21, 0xf9, 4, 0, 10, 0, 0, 0};
    const Bytes image = {0x2c, 0, 0, 0, 0, 2, 0, 2, 0, 0, 2, 2, 0x44, 0x01, 0};  // LZW: clear, 4 pixels, end
    b.insert(b.end(), gce.begin(), gce.end());
    b.insert(b.end(), image.begin(), image.end());
  }
  b.push_back(0x3b);
  return b;
}

// The mutants of one shared blood-smear image in the four formats blastscan reads.
std::vector<Mutant> image_mutants(std::mt19937& rng) {
  const cv::Mat bgr = cv::imread(image_arg(), cv::IMREAD_COLOR);
  EXPECT_FALSE(bgr.empty()) << image_arg();
  const std::map<std::string, Bytes> originals = {
      {"jpg", read_file(image_arg())}, {"png", encode(".png", bgr)}, {"bmp", encode(".bmp", bgr)}, {"tiff", encode(".tiff", bgr)}};
  std::vector<Mutant> out;
  for (const auto& [ext, bytes] : originals) {
    for (int i = 0; i < 45; ++i) out.push_back({"flip_" + std::to_string(i) + "." + ext, flip_bits(bytes, rng, 1 + i % 6)});
    for (int i = 0; i < 25; ++i) out.push_back({"cut_" + std::to_string(i) + "." + ext, truncate(bytes, rng() % bytes.size())});
  }
  const Bytes& png = originals.at("png");
  const Bytes& jpg = originals.at("jpg");
  out.push_back({"claims_100000x100000.png", png_claiming(png, 100000, 100000)});
  out.push_back({"claims_1x1.png", png_claiming(png, 1, 1)});
  out.push_back({"claims_65535x1.png", png_claiming(png, 65535, 1)});
  out.push_back({"claims_2pow31.png", png_claiming(png, 0x80000000u, 0x80000000u)});
  out.push_back({"claims_65535x65535.jpg", jpeg_claiming(jpg, 65535, 65535)});
  out.push_back({"claims_1x1.jpg", jpeg_claiming(jpg, 1, 1)});
  out.push_back({"claims_65535x1.jpg", jpeg_claiming(jpg, 65535, 1)});
  out.push_back({"claims_0x0.jpg", jpeg_claiming(jpg, 0, 0)});
  for (auto [w, h] : {std::pair{100000, 100000}, {1, 1}, {65535, 1}, {224, -224}, {224, -100000}, {-224, 224}, {224, INT32_MIN}})
    out.push_back({"claims_" + std::to_string(w) + "x" + std::to_string(h) + ".bmp", bmp_claiming(originals.at("bmp"), w, h)});
  for (auto [w, h] : {std::pair{100000u, 100000u}, {1u, 1u}, {65535u, 1u}, {0xffffffffu, 2u}})
    out.push_back({"claims_" + std::to_string(w) + "x" + std::to_string(h) + ".tiff", tiff_claiming(originals.at("tiff"), w, h)});
  cv::Mat deep, gray, gray_deep, rgba;
  bgr.convertTo(deep, CV_16UC3, 257.0);
  cv::cvtColor(bgr, gray, cv::COLOR_BGR2GRAY);
  gray.convertTo(gray_deep, CV_16UC1, 257.0);
  cv::cvtColor(bgr, rgba, cv::COLOR_BGR2BGRA);
  out.push_back({"cmyk.jpg", cmyk_jpeg(224, 224)});
  out.push_back({"deep.png", encode(".png", deep)});
  out.push_back({"deep.tiff", encode(".tiff", deep)});
  out.push_back({"gray_deep.png", encode(".png", gray_deep)});
  out.push_back({"gray.jpg", encode(".jpg", gray)});
  out.push_back({"rgba.png", encode(".png", rgba)});
  out.push_back({"animated.gif", animated_gif()});
  out.push_back({"animated_named.png", animated_gif()});
  out.push_back({"empty.jpg", {}});
  out.push_back({"text.png", {'h', 'e', 'l', 'l', 'o', '\n'}});
  return out;
}

std::map<std::string, std::map<std::string, int>> outcome_tally;  // "error"/"answer" -> mutant kind -> count

// One classify run over `inputs` plus a good image, JSON out: exit 0 or 2 (some rows are
// errors), one row per input, the good image classified, every other row an error or a
// finite answer. Returns what was printed on stderr.
std::string check_classify_batch(const std::string& batch, const std::vector<std::string>& inputs) {
  std::string args = "classify --format json --model " + small_model_pb().string() + " " + image_arg();
  for (const auto& in : inputs) args += " '" + in + "'";
  const Outcome o = run_blastscan_all({args}, 4 * kTimeout, 1).at(0);
  const std::string& printed = o.errors;
  EXPECT_EQ(broken(o.status, printed), "") << batch << ":\n" << printed;
  EXPECT_TRUE(o.status == 0 || o.status == 2) << batch << " exit " << o.status << ":\n" << printed;
  const std::string wrong = bad_answers(o.output);
  EXPECT_EQ(wrong, "") << batch;
  if (!wrong.empty()) return printed;
  const auto rows = nlohmann::json::parse(o.output).at("images");
  EXPECT_EQ(rows.size(), inputs.size() + 1) << batch << ":\n" << o.output;
  EXPECT_TRUE(rows[0].contains("class")) << batch << ": the good image was not classified: " << rows[0].dump();
  for (size_t i = 1; i < rows.size(); ++i) {
    const std::string name = fs::path(inputs[i - 1]).filename().string();
    const std::string stem = fs::path(name).stem().string();
    const std::string kind = stem.substr(0, stem.find('_')) + fs::path(name).extension().string();
    auto& tally = outcome_tally[rows[i].contains("error") ? "error" : "answer"];
    tally[kind]++;
  }
  return printed;
}

// Prints how many mutants of each kind were answered and refused (the figures for the notes).
void print_tally() {
  for (const auto& [outcome, kinds] : outcome_tally) {
    std::printf("%s rows:", outcome.c_str());
    for (const auto& [kind, n] : kinds) std::printf(" %s %d", kind.c_str(), n);
    std::printf("\n");
  }
  outcome_tally.clear();
}

TEST(ImageMutants, BitFlipsTruncationsAndLyingHeadersAreErrorRowsOrAnswers) {
  if (!fs::exists(image_arg())) GTEST_SKIP() << "no shared image at " << image_arg();
  const fs::path dir = mutant_dir();
  std::mt19937 rng(4);
  const std::vector<std::string> paths = write_all(dir, image_mutants(rng));
  ASSERT_GE(paths.size(), 300u);
  constexpr size_t kBatch = 40;  // one process per batch: a network built once, many images through it
  for (size_t first = 0; first < paths.size(); first += kBatch)
    check_classify_batch("batch_" + std::to_string(first / kBatch),
                         {paths.begin() + first, paths.begin() + std::min(paths.size(), first + kBatch)});
  print_tally();
  fs::remove_all(dir);
}

// libjpeg warns about corrupt data (and decodes a grey guess) rather than failing: such an
// image is an error row, and nothing from a library reaches the terminal raw.
TEST(ImageMutants, DecoderWarningsAreErrorRowsNotRawLines) {
  if (!fs::exists(image_arg())) GTEST_SKIP() << "no shared image at " << image_arg();
  const fs::path dir = mutant_dir();
  std::mt19937 rng(5);
  const Bytes jpeg = read_file(image_arg());
  std::vector<Mutant> mutants;
  for (int i = 0; i < 40; ++i) mutants.push_back({"flip_" + std::to_string(i) + ".jpg", flip_bits(jpeg, rng, 1 + i % 6)});
  const std::string printed = check_classify_batch("jpeg_flips", write_all(dir, mutants));
  std::istringstream lines(printed);
  for (std::string line; std::getline(lines, line);) EXPECT_EQ(line.rfind("blastscan: ", 0), 0u) << "raw line: " << line;
  print_tally();
  fs::remove_all(dir);
}

// Paths that are not regular files: each on its own beside a good image, so a hang (a FIFO
// opened for reading waits for a writer forever) is pinned to its cause.
TEST(ImageMutants, PathsThatAreNoImageFilesAreErrorRows) {
  if (!fs::exists(image_arg())) GTEST_SKIP() << "no shared image at " << image_arg();
  const fs::path dir = mutant_dir();
  ASSERT_EQ(mkfifo((dir / "fifo.jpg").c_str(), 0600), 0);
  fs::create_directory(dir / "folder.jpg");
  fs::create_symlink(dir / "missing.jpg", dir / "dangling.jpg");
  fs::create_symlink(dir / "loop_b.jpg", dir / "loop_a.jpg");
  fs::create_symlink(dir / "loop_a.jpg", dir / "loop_b.jpg");
  for (const char* name : {"fifo.jpg", "folder.jpg", "dangling.jpg", "loop_a.jpg"})
    check_classify_batch(name, {(dir / name).string()});
  fs::remove_all(dir);
}

}  // namespace
}  // namespace blastscan
