// The decoded-image slide: read() is a view into the decoded pixels, nothing is copied.
#include "data/slide_source.h"

#include "base/error.h"

namespace blastscan {

namespace {

class ImageSlide final : public SlideSource {
 public:
  explicit ImageSlide(cv::Mat rgb) : rgb_(std::move(rgb)) {}
  cv::Size size() const override { return rgb_.size(); }
  cv::Mat read(const cv::Rect& box) override {
    if ((box & cv::Rect({}, rgb_.size())) != box) throw Error("image slide: region outside the image");
    return rgb_(box);
  }
  std::string describe() const override {
    return std::to_string(rgb_.cols) + "x" + std::to_string(rgb_.rows) + " image";
  }

 private:
  cv::Mat rgb_;
};

}  // namespace

std::unique_ptr<SlideSource> image_slide(cv::Mat rgb) {
  if (rgb.empty() || rgb.type() != CV_8UC3) throw Error("image slide: expected a non-empty RGB uint8 image");
  return std::make_unique<ImageSlide>(std::move(rgb));
}

}  // namespace blastscan
