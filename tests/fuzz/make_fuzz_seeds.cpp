// Writes the seed corpus of every harness, OUT/<harness>/<seed>, from files blastscan itself
// writes (models, TFRecord shards, event files, manifests, labels, configs), small images in
// each format OpenCV encodes, and HTTP requests. Generated rather than shipped: nothing here
// is worth keeping in the repository, and the seeds follow the formats when they change.
#include <cstdlib>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <opencv2/imgcodecs.hpp>
#include <zlib.h>

#include "base/file_io.h"
#include "data/manifest.h"
#include "formats/graphdef.h"
#include "formats/tf_example.h"
#include "formats/tfevents.h"
#include "formats/tfrecord.h"
#include "inception/random_model.h"
#include "tensorflow_graph.pb.h"
#include "train/config.h"

using namespace blastscan;

namespace {

std::vector<uint8_t> encode(const std::string& ext, const cv::Mat& img) {
  std::vector<uint8_t> bytes;
  cv::imencode(ext, img, bytes);
  return bytes;
}

cv::Mat pattern(int w, int h, int type) {
  cv::Mat img(h, w, type);
  cv::randu(img, 0, type == CV_16UC3 || type == CV_16UC1 ? 65535 : 255);
  return img;
}

std::string text_of(const std::vector<uint8_t>& bytes) { return {bytes.begin(), bytes.end()}; }

void write(const fs::path& path, std::string_view bytes) { write_file_atomic(path, bytes); }

std::map<std::string, std::vector<uint8_t>> image_seeds() {
  return {{"rgb.jpg", encode(".jpg", pattern(32, 24, CV_8UC3))},   {"rgb.png", encode(".png", pattern(24, 32, CV_8UC3))},
          {"gray.png", encode(".png", pattern(20, 20, CV_8UC1))},  {"rgba.png", encode(".png", pattern(17, 19, CV_8UC4))},
          {"deep.png", encode(".png", pattern(18, 16, CV_16UC3))}, {"rgb.bmp", encode(".bmp", pattern(21, 17, CV_8UC3))},
          {"rgb.tiff", encode(".tiff", pattern(16, 30, CV_8UC3))}, {"gray.jpg", encode(".jpg", pattern(40, 16, CV_8UC1))}};
}

std::vector<uint8_t> small_model(const std::string& endpoint, int classes) {
  Model model = make_random_model(endpoint, classes, 3);
  if (classes == 2) model.classes = {"healthy", "ALL"}, model.positive = {"ALL"};
  return serialize_graphdef(model);
}

// The same model in the other form import reads (the shared backbone's): each conv's biases
// become BatchNorm/beta beside a moving mean of 0 and a moving variance of 1.
std::vector<uint8_t> with_batch_norm(const std::vector<uint8_t>& bytes) {
  tensorflow::GraphDef graph;
  graph.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()));
  const int n = graph.node_size();
  for (int i = 0; i < n; ++i) {
    tensorflow::NodeDef& node = *graph.mutable_node(i);
    const std::string suffix = "/biases";
    if (node.op() != "Const" || !node.name().ends_with(suffix)) continue;
    const std::string scope = node.name().substr(0, node.name().size() - suffix.size());
    node.set_name(scope + "/BatchNorm/beta");
    for (const auto& [name, value] : {std::pair{"moving_mean", 0.f}, {"moving_variance", 1.f}}) {
      tensorflow::NodeDef& stat = *graph.add_node();
      stat = graph.node(i);
      stat.set_name(scope + "/BatchNorm/" + name);
      auto& tensor = *(*stat.mutable_attr())["value"].mutable_tensor();
      std::vector<float> values(tensor.tensor_content().size() / sizeof(float), value);
      tensor.set_tensor_content(values.data(), values.size() * sizeof(float));
    }
  }
  const std::string out = graph.SerializeAsString();
  return {out.begin(), out.end()};
}

// One chunk of a chunked body: its size in hex, then the bytes.
std::string chunk(const std::string& data) {
  char size[32];
  std::snprintf(size, sizeof size, "%zx\r\n", data.size());
  return size + data + "\r\n";
}

// The gzip form of data (what a client sends with Content-Encoding: gzip).
std::string gzip(const std::string& data) {
  z_stream z{};
  deflateInit2(&z, Z_BEST_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);  // +16: gzip framing
  std::string out(deflateBound(&z, data.size()) + 32, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

std::string http_post(const std::string& headers, const std::string& body) {
  return "POST /Inference HTTP/1.1\r\nHost: x\r\n" + headers + "Content-Length: " + std::to_string(body.size()) +
         "\r\n\r\n" + body;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: make_fuzz_seeds OUT_DIR\n");
    return 1;
  }
  const fs::path out = argv[1];
  const auto images = image_seeds();

  write_file_atomic(out / "graphdef" / "head.pb", small_model("Conv2d_1a_3x3", 2));
  write_file_atomic(out / "graphdef" / "backbone.pb", small_model("Conv2d_2a_3x3", 0));
  write_file_atomic(out / "graphdef" / "batchnorm.pb", with_batch_norm(small_model("Conv2d_1a_3x3", 0)));

  for (const auto& [name, bytes] : images) write_file_atomic(out / "image" / name, bytes);

  const fs::path scratch = out / "scratch";
  {
    TfRecordWriter shard(out / "tfrecord" / "examples.tfrecord");
    for (const char* name : {"rgb.jpg", "gray.png"})
      shard.write(serialize_image_example({images.at(name), "jpg", 1, 24, 32}));
    shard.finish();
    EventWriter events(scratch);
    events.add_scalars(0, {{"loss", 1.5f}, {"accuracy", 0.5f}});
    events.add_scalars(1, {{"loss", 0.5f}});
    fs::copy_file(events.path(), out / "tfrecord" / "events.tfevents", fs::copy_options::overwrite_existing);
  }

  Dataset ds;
  ds.classes = {"Benign", "Pro"};
  ds.samples = {{.path = "/data/Benign/a.jpg", .label = 0, .group = "1", .hash = "ab", .split = "train"},
                {.path = "/data/Pro/b, \"c\".png", .label = 1, .hash = "cd", .split = "validation"}};
  ds.skipped = {{"/data/x.txt", "not an image"}};
  write_manifest(ds, scratch);
  write(out / "text_formats" / "labels", "\x00" + read_text_file(scratch / "labels.txt"));
  write(out / "text_formats" / "config", "\x01" + to_json(TrainConfig{}).dump(1));
  write(out / "text_formats" / "manifest_json", "\x02" + read_text_file(scratch / "manifest.json"));
  write(out / "text_formats" / "manifest_csv", "\x03" + read_text_file(scratch / "manifest.csv"));

  const std::string png = text_of(images.at("rgb.png"));
  const std::string boundary = "XyZ";
  write(out / "serve" / "health", "GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
  write(out / "serve" / "model", "GET /model HTTP/1.1\r\nHost: x\r\n\r\n");
  write(out / "serve" / "page", "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
  write(out / "serve" / "unknown", "GET /nothing?q=%41 HTTP/1.1\r\nHost: x\r\n\r\n");
  write(out / "serve" / "raw", http_post("Content-Type: application/octet-stream\r\n", png));
  write(out / "serve" / "multipart",
        http_post("Content-Type: multipart/form-data; boundary=" + boundary + "\r\n",
                  "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.png\"\r\n" +
                      "Content-Type: image/png\r\n\r\n" + png + "\r\n--" + boundary + "--\r\n"));
  write(out / "serve" / "chunked", "POST /Inference HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" +
                                       chunk(png.substr(0, 100)) + chunk(png.substr(100)) + "0\r\n\r\n");
  write(out / "serve" / "gzip", http_post("Content-Encoding: gzip\r\n", gzip(png)));
  // Pyramidal tiled TIFFs as slide scanners write them, through libvips (as tests/data does).
  const fs::path png_file = scratch / "slide.png";
  write_file_atomic(png_file, encode(".png", pattern(300, 200, CV_8UC3)));
  fs::create_directories(out / "slide");
  for (const std::string options : {"--tile --pyramid --compression deflate --tile-width 64 --tile-height 64",
                                    "--tile --pyramid --bigtiff --compression jpeg --tile-width 64 --tile-height 64"}) {
    const fs::path tiff = out / "slide" / (options.find("bigtiff") == std::string::npos ? "pyramid.tiff" : "bigtiff.tiff");
    const std::string command = "vips tiffsave " + png_file.string() + " " + tiff.string() + " " + options;
    if (std::system(command.c_str()) != 0) std::fprintf(stderr, "make_fuzz_seeds: %s failed (libvips-tools?)\n", command.c_str());
  }
  fs::remove_all(scratch);
  std::printf("seeds written to %s\n", out.c_str());
  return 0;
}
