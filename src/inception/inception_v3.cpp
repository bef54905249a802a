// The topology table follows research/slim/nets/inception_v3.py (inception_v3_base) block by
// block, including its naming quirks (Mixed_5c's Conv_1_0c_5x5, Mixed_6a's 3x3 convs named
// Conv2d_1a_1x1, Mixed_7b's two Conv2d_0b_* in Branch_1).
#include "inception/inception_v3.h"

#include <algorithm>
#include <map>

#include "base/error.h"

namespace blastscan {

namespace {

// Builds the layer list in graph order. Each helper appends one layer and returns its name,
// so a branch reads as a chain: conv(conv(x, ...), ...).
class Builder {
 public:
  std::vector<Layer> layers;

  std::string conv(const std::string& input, const std::string& name, int oc, int kh, int kw,
                   int stride = 1, Padding padding = Padding::Same) {
    layers.push_back({name, LayerKind::Conv, {input}, kh, kw, stride, stride, padding, oc});
    return name;
  }
  std::string pool(LayerKind kind, const std::string& input, const std::string& name, int stride,
                   Padding padding) {
    layers.push_back({name, kind, {input}, 3, 3, stride, stride, padding, 0});
    return name;
  }
  std::string concat(const std::string& name, std::vector<std::string> inputs) {
    layers.push_back({name, LayerKind::Concat, std::move(inputs)});
    return name;
  }
};

// Mixed_5b/5c/5d: 35x35 blocks. Mixed_5c names Branch_1 differently (a slim quirk).
std::string block_35(Builder& b, const std::string& x, const std::string& s, int pool_depth, bool quirk_5c) {
  const auto b0 = b.conv(x, s + "/Branch_0/Conv2d_0a_1x1", 64, 1, 1);
  const auto b1 = quirk_5c
      ? b.conv(b.conv(x, s + "/Branch_1/Conv2d_0b_1x1", 48, 1, 1), s + "/Branch_1/Conv_1_0c_5x5", 64, 5, 5)
      : b.conv(b.conv(x, s + "/Branch_1/Conv2d_0a_1x1", 48, 1, 1), s + "/Branch_1/Conv2d_0b_5x5", 64, 5, 5);
  auto b2 = b.conv(x, s + "/Branch_2/Conv2d_0a_1x1", 64, 1, 1);
  b2 = b.conv(b2, s + "/Branch_2/Conv2d_0b_3x3", 96, 3, 3);
  b2 = b.conv(b2, s + "/Branch_2/Conv2d_0c_3x3", 96, 3, 3);
  auto b3 = b.pool(LayerKind::AvgPool, x, s + "/Branch_3/AvgPool_0a_3x3", 1, Padding::Same);
  b3 = b.conv(b3, s + "/Branch_3/Conv2d_0b_1x1", pool_depth, 1, 1);
  return b.concat(s + "/concat", {b0, b1, b2, b3});
}

// Mixed_6b..6e: 17x17 blocks with factorised 7x7 convs of width `d`.
std::string block_17(Builder& b, const std::string& x, const std::string& s, int d) {
  const auto b0 = b.conv(x, s + "/Branch_0/Conv2d_0a_1x1", 192, 1, 1);
  auto b1 = b.conv(x, s + "/Branch_1/Conv2d_0a_1x1", d, 1, 1);
  b1 = b.conv(b1, s + "/Branch_1/Conv2d_0b_1x7", d, 1, 7);
  b1 = b.conv(b1, s + "/Branch_1/Conv2d_0c_7x1", 192, 7, 1);
  auto b2 = b.conv(x, s + "/Branch_2/Conv2d_0a_1x1", d, 1, 1);
  b2 = b.conv(b2, s + "/Branch_2/Conv2d_0b_7x1", d, 7, 1);
  b2 = b.conv(b2, s + "/Branch_2/Conv2d_0c_1x7", d, 1, 7);
  b2 = b.conv(b2, s + "/Branch_2/Conv2d_0d_7x1", d, 7, 1);
  b2 = b.conv(b2, s + "/Branch_2/Conv2d_0e_1x7", 192, 1, 7);
  auto b3 = b.pool(LayerKind::AvgPool, x, s + "/Branch_3/AvgPool_0a_3x3", 1, Padding::Same);
  b3 = b.conv(b3, s + "/Branch_3/Conv2d_0b_1x1", 192, 1, 1);
  return b.concat(s + "/concat", {b0, b1, b2, b3});
}

// Mixed_7b/7c: 8x8 blocks whose branches 1 and 2 end in a concat of 1x3 and 3x1 convs.
std::string block_8(Builder& b, const std::string& x, const std::string& s, const std::string& b1_second) {
  const auto b0 = b.conv(x, s + "/Branch_0/Conv2d_0a_1x1", 320, 1, 1);
  const auto b1 = b.conv(x, s + "/Branch_1/Conv2d_0a_1x1", 384, 1, 1);
  const auto b1_cat = b.concat(s + "/Branch_1/concat", {b.conv(b1, s + "/Branch_1/Conv2d_0b_1x3", 384, 1, 3),
                                                        b.conv(b1, s + "/Branch_1/" + b1_second, 384, 3, 1)});
  auto b2 = b.conv(x, s + "/Branch_2/Conv2d_0a_1x1", 448, 1, 1);
  b2 = b.conv(b2, s + "/Branch_2/Conv2d_0b_3x3", 384, 3, 3);
  const auto b2_cat = b.concat(s + "/Branch_2/concat", {b.conv(b2, s + "/Branch_2/Conv2d_0c_1x3", 384, 1, 3),
                                                        b.conv(b2, s + "/Branch_2/Conv2d_0d_3x1", 384, 3, 1)});
  auto b3 = b.pool(LayerKind::AvgPool, x, s + "/Branch_3/AvgPool_0a_3x3", 1, Padding::Same);
  b3 = b.conv(b3, s + "/Branch_3/Conv2d_0b_1x1", 192, 1, 1);
  return b.concat(s + "/concat", {b0, b1_cat, b2_cat, b3});
}

// The whole network; `end_of` records the last layer of each end point.
std::vector<Layer> build_all(std::map<std::string, size_t>& end_of) {
  Builder b;
  const auto mark = [&](const std::string& endpoint) { end_of[endpoint] = b.layers.size(); };
  const auto V = Padding::Valid;
  auto x = b.conv("input", "Conv2d_1a_3x3", 32, 3, 3, 2, V);                      mark("Conv2d_1a_3x3");
  x = b.conv(x, "Conv2d_2a_3x3", 32, 3, 3, 1, V);                                   mark("Conv2d_2a_3x3");
  x = b.conv(x, "Conv2d_2b_3x3", 64, 3, 3, 1, Padding::Same);                       mark("Conv2d_2b_3x3");
  x = b.pool(LayerKind::MaxPool, x, "MaxPool_3a_3x3", 2, V);                        mark("MaxPool_3a_3x3");
  x = b.conv(x, "Conv2d_3b_1x1", 80, 1, 1, 1, V);                                   mark("Conv2d_3b_1x1");
  x = b.conv(x, "Conv2d_4a_3x3", 192, 3, 3, 1, V);                                  mark("Conv2d_4a_3x3");
  x = b.pool(LayerKind::MaxPool, x, "MaxPool_5a_3x3", 2, V);                        mark("MaxPool_5a_3x3");
  x = block_35(b, x, "Mixed_5b", 32, false);                                        mark("Mixed_5b");
  x = block_35(b, x, "Mixed_5c", 64, true);                                         mark("Mixed_5c");
  x = block_35(b, x, "Mixed_5d", 64, false);                                        mark("Mixed_5d");
  {  // Mixed_6a: 35x35 -> 17x17
    const std::string s = "Mixed_6a";
    const auto b0 = b.conv(x, s + "/Branch_0/Conv2d_1a_1x1", 384, 3, 3, 2, V);
    auto b1 = b.conv(x, s + "/Branch_1/Conv2d_0a_1x1", 64, 1, 1);
    b1 = b.conv(b1, s + "/Branch_1/Conv2d_0b_3x3", 96, 3, 3);
    b1 = b.conv(b1, s + "/Branch_1/Conv2d_1a_1x1", 96, 3, 3, 2, V);
    const auto b2 = b.pool(LayerKind::MaxPool, x, s + "/Branch_2/MaxPool_1a_3x3", 2, V);
    x = b.concat(s + "/concat", {b0, b1, b2});                                      mark(s);
  }
  x = block_17(b, x, "Mixed_6b", 128);                                              mark("Mixed_6b");
  x = block_17(b, x, "Mixed_6c", 160);                                              mark("Mixed_6c");
  x = block_17(b, x, "Mixed_6d", 160);                                              mark("Mixed_6d");
  x = block_17(b, x, "Mixed_6e", 192);                                              mark("Mixed_6e");
  {  // Mixed_7a: 17x17 -> 8x8
    const std::string s = "Mixed_7a";
    auto b0 = b.conv(x, s + "/Branch_0/Conv2d_0a_1x1", 192, 1, 1);
    b0 = b.conv(b0, s + "/Branch_0/Conv2d_1a_3x3", 320, 3, 3, 2, V);
    auto b1 = b.conv(x, s + "/Branch_1/Conv2d_0a_1x1", 192, 1, 1);
    b1 = b.conv(b1, s + "/Branch_1/Conv2d_0b_1x7", 192, 1, 7);
    b1 = b.conv(b1, s + "/Branch_1/Conv2d_0c_7x1", 192, 7, 1);
    b1 = b.conv(b1, s + "/Branch_1/Conv2d_1a_3x3", 192, 3, 3, 2, V);
    const auto b2 = b.pool(LayerKind::MaxPool, x, s + "/Branch_2/MaxPool_1a_3x3", 2, V);
    x = b.concat(s + "/concat", {b0, b1, b2});                                      mark(s);
  }
  x = block_8(b, x, "Mixed_7b", "Conv2d_0b_3x1");                                   mark("Mixed_7b");
  block_8(b, x, "Mixed_7c", "Conv2d_0c_3x1");                                       mark("Mixed_7c");
  return b.layers;
}

}  // namespace

const std::vector<std::string>& inception_v3_endpoints() {
  static const std::vector<std::string> names = {
      "Conv2d_1a_3x3", "Conv2d_2a_3x3", "Conv2d_2b_3x3", "MaxPool_3a_3x3", "Conv2d_3b_1x1", "Conv2d_4a_3x3",
      "MaxPool_5a_3x3", "Mixed_5b", "Mixed_5c", "Mixed_5d", "Mixed_6a", "Mixed_6b", "Mixed_6c", "Mixed_6d",
      "Mixed_6e", "Mixed_7a", "Mixed_7b", "Mixed_7c"};
  return names;
}

bool is_endpoint(const std::string& name) {
  const auto& all = inception_v3_endpoints();
  return std::find(all.begin(), all.end(), name) != all.end();
}

std::vector<Layer> inception_v3_layers(const std::string& final_endpoint) {
  std::map<std::string, size_t> end_of;
  auto layers = build_all(end_of);
  const auto it = end_of.find(final_endpoint);
  if (it == end_of.end())
    throw InputError("unknown end point '" + final_endpoint + "' (expected Conv2d_1a_3x3 ... Mixed_7c)");
  layers.resize(it->second);
  return layers;
}

std::vector<ConvShape> conv_shapes(const std::vector<Layer>& layers) {
  const auto shapes = infer_shapes(layers, 299);  // channel counts do not depend on the image size
  std::map<std::string, int> channels{{"input", 3}};
  std::vector<ConvShape> convs;
  for (size_t i = 0; i < layers.size(); ++i) {
    const Layer& l = layers[i];
    channels[l.name] = shapes[i].C;
    if (l.kind == LayerKind::Conv) convs.push_back({&l, l.KH, l.KW, channels.at(l.inputs[0]), l.OC});
  }
  return convs;
}

int output_size(int in, int kernel, int stride, Padding padding) {
  return padding == Padding::Same ? (in + stride - 1) / stride : (in - kernel) / stride + 1;
}

void same_padding(int in, int kernel, int stride, int& pad_before, int& pad_after) {
  const int out = output_size(in, kernel, stride, Padding::Same);
  const int total = std::max((out - 1) * stride + kernel - in, 0);
  pad_before = total / 2;
  pad_after = total - pad_before;
}

std::vector<LayerShape> infer_shapes(const std::vector<Layer>& layers, int image_size) {
  std::map<std::string, LayerShape> by_name{{"input", {image_size, image_size, 3}}};
  std::vector<LayerShape> shapes;
  for (const auto& layer : layers) {
    const LayerShape in = by_name.at(layer.inputs.front());
    LayerShape out;
    if (layer.kind == LayerKind::Concat) {
      out = {in.H, in.W, 0};
      for (const auto& name : layer.inputs) out.C += by_name.at(name).C;
    } else {
      out.H = output_size(in.H, layer.KH, layer.SH, layer.padding);
      out.W = output_size(in.W, layer.KW, layer.SW, layer.padding);
      out.C = layer.kind == LayerKind::Conv ? layer.OC : in.C;
      if (out.H < 1 || out.W < 1)
        throw InputError("image size " + std::to_string(image_size) + " is too small for layer " + layer.name);
    }
    by_name[layer.name] = out;
    shapes.push_back(out);
  }
  return shapes;
}

}  // namespace blastscan
