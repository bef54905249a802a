// The Inception V3 topology exactly as TF-Slim's nets/inception_v3.py defines it: scope names,
// end points, kernel sizes, strides and padding, built up to a chosen final end point.
// A table of layers in graph order; no weights and no compute here.
#pragma once
#include <string>
#include <vector>

namespace blastscan {

enum class LayerKind { Conv, MaxPool, AvgPool, Concat };
enum class Padding { Same, Valid };

struct Layer {
  std::string name;                 // TF-Slim scope without "InceptionV3/", e.g. "Mixed_6b/Branch_1/Conv2d_0b_1x7"
  LayerKind kind;
  std::vector<std::string> inputs;  // layer names; "input" is the image
  int KH = 1, KW = 1, SH = 1, SW = 1;
  Padding padding = Padding::Same;
  int OC = 0;                       // output channels (Conv only)
};

// The end points in order: Conv2d_1a_3x3 ... Mixed_7c.
const std::vector<std::string>& inception_v3_endpoints();
bool is_endpoint(const std::string& name);

// All layers needed to compute final_endpoint, in graph order; the last layer is the end point.
// Throws InputError for an unknown end point.
std::vector<Layer> inception_v3_layers(const std::string& final_endpoint);

// Output [H, W, C] of every layer for a square input of image_size, keyed by layer name.
struct LayerShape { int H = 0, W = 0, C = 0; };
std::vector<LayerShape> infer_shapes(const std::vector<Layer>& layers, int image_size);

// The HWIO weight shape [KH,KW,IC,OC] of every conv in `layers`, in graph order.
struct ConvShape {
  const Layer* layer;
  int KH, KW, IC, OC;
};
std::vector<ConvShape> conv_shapes(const std::vector<Layer>& layers);

// Output spatial size of a conv/pool along one axis under TF's padding rules.
int output_size(int in, int kernel, int stride, Padding padding);
// TF "SAME": total padding, with the extra pixel at the bottom/right.
void same_padding(int in, int kernel, int stride, int& pad_before, int& pad_after);

}  // namespace blastscan
