// decode_image: every supported format and pixel kind comes out as 8-bit RGB; every kind of bad
// input is one InputError naming the file. Encoded test images come from OpenCV's encoders;
// the oversized and truncated headers are written byte by byte.
#include <gtest/gtest.h>

#include <random>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "base/error.h"
#include "base/file_io.h"
#include "common/paths.h"
#include "data/image.h"
#include "data/image_header.h"
#include "data/preprocess.h"

using namespace blastscan;

namespace {

std::vector<uint8_t> encode(const cv::Mat& img, const std::string& ext) {
  std::vector<uint8_t> bytes;
  EXPECT_TRUE(cv::imencode(ext, img, bytes));
  return bytes;
}

// A BGR test picture with distinct channels, so a BGR/RGB mix-up shows.
cv::Mat test_bgr(int h = 40, int w = 60) {
  cv::Mat img(h, w, CV_8UC3);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) img.at<cv::Vec3b>(y, x) = {uint8_t(10 + x), uint8_t(100 + y), uint8_t(200)};
  return img;
}

std::string error_of(std::span<const uint8_t> bytes, const ImageLimits& limits = {}) {
  try {
    decode_image(bytes, "pic", limits);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

void append_be32(std::vector<uint8_t>& v, uint32_t x) {
  for (int s = 24; s >= 0; s -= 8) v.push_back(uint8_t(x >> s));
}

}  // namespace

TEST(DecodeImage, LosslessFormatsGiveRgbOfTheOriginal) {
  const cv::Mat bgr = test_bgr();
  cv::Mat rgb;
  cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);
  for (const char* ext : {".png", ".bmp", ".tiff"}) {
    const cv::Mat out = decode_image(encode(bgr, ext), "pic");
    ASSERT_EQ(out.type(), CV_8UC3) << ext;
    EXPECT_EQ(cv::norm(out, rgb, cv::NORM_INF), 0) << ext;
    const auto header = read_image_header(encode(bgr, ext), "pic");
    EXPECT_EQ(header.width, 60) << ext;
    EXPECT_EQ(header.height, 40) << ext;
  }
}

TEST(DecodeImage, JpegMatchesOpenCvImread) {
  const auto path = blastscan::testing::shared_dir() / "models" / "fixtures" / "dog.jpg";
  const cv::Mat out = load_image(path);
  cv::Mat bgr = cv::imread(path.string(), cv::IMREAD_COLOR), rgb;
  cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);
  ASSERT_EQ(out.size(), rgb.size());
  EXPECT_EQ(cv::norm(out, rgb, cv::NORM_INF), 0);
  EXPECT_EQ(read_image_header(read_file(path), "dog").format, ImageFormat::jpeg);
}

TEST(DecodeImage, GrayscaleIsReplicated) {
  cv::Mat gray(32, 32, CV_8U, cv::Scalar(77));
  const cv::Mat out = decode_image(encode(gray, ".png"), "pic");
  ASSERT_EQ(out.type(), CV_8UC3);
  EXPECT_EQ(out.at<cv::Vec3b>(5, 5), cv::Vec3b(77, 77, 77));
}

TEST(DecodeImage, AlphaIsDropped) {
  cv::Mat bgra(32, 32, CV_8UC4, cv::Scalar(10, 20, 30, 0));  // fully transparent
  const cv::Mat out = decode_image(encode(bgra, ".png"), "pic");
  ASSERT_EQ(out.type(), CV_8UC3);
  EXPECT_EQ(out.at<cv::Vec3b>(0, 0), cv::Vec3b(30, 20, 10));
}

TEST(DecodeImage, SixteenBitIsScaledToEight) {
  cv::Mat deep(32, 32, CV_16UC3, cv::Scalar(257 * 100, 65535, 0));
  const cv::Mat out = decode_image(encode(deep, ".png"), "pic");
  ASSERT_EQ(out.type(), CV_8UC3);
  EXPECT_EQ(out.at<cv::Vec3b>(3, 3), cv::Vec3b(0, 255, 100));
}

TEST(DecodeImage, LargeSlideDecodes) {
  cv::Mat slide(1944, 2592, CV_8UC3, cv::Scalar(90, 60, 200));
  const cv::Mat out = decode_image(encode(slide, ".jpg"), "slide");
  EXPECT_EQ(out.cols, 2592);
  EXPECT_EQ(out.rows, 1944);
  std::vector<float> tensor(299 * 299 * 3);
  preprocess_inception(out, 299, tensor.data());
  EXPECT_NEAR(tensor[0], 200 / 127.5 - 1, 0.02);  // R of BGR (90, 60, 200), JPEG-rounded
  EXPECT_NEAR(tensor[2], 90 / 127.5 - 1, 0.02);
}

TEST(DecodeImage, TruncatedFilesAreRefused) {
  for (const char* ext : {".jpg", ".png", ".bmp", ".tiff"}) {
    auto bytes = encode(test_bgr(), ext);
    bytes.resize(bytes.size() * 2 / 3);
    const std::string err = error_of(bytes);
    EXPECT_NE(err.find("pic: truncated"), std::string::npos) << ext << ": " << err;
  }
}

TEST(DecodeImage, CorruptJpegBodyIsRefusedOrDecoded) {
  // Garbage inside the entropy-coded data must not crash; OpenCV may still decode it.
  auto bytes = encode(test_bgr(), ".jpg");
  for (size_t i = bytes.size() / 2; i < bytes.size() - 2; ++i) bytes[i] = 0x00;
  const std::string err = error_of(bytes);
  EXPECT_TRUE(err.empty() || err.find("pic:") == 0) << err;
}

TEST(DecodeImage, GarbageAndEmptyAreNotImages) {
  const std::vector<uint8_t> garbage = {'h', 'e', 'l', 'l', 'o', ' ', 'w', 'o', 'r', 'l', 'd'};
  EXPECT_EQ(error_of(garbage), "pic: not an image (JPEG, PNG, TIFF or BMP expected)");
  EXPECT_EQ(error_of({}), "pic: empty file");
  const std::vector<uint8_t> just_magic = {0xFF, 0xD8, 0xFF};
  EXPECT_NE(error_of(just_magic).find("pic: "), std::string::npos);
}

TEST(DecodeImage, TinyImagesAreRefused) {
  const std::string err = error_of(encode(cv::Mat(8, 8, CV_8UC3, cv::Scalar::all(9)), ".png"));
  EXPECT_EQ(err, "pic: image is 8x8, smaller than the 16-pixel minimum side");
}

TEST(DecodeImage, AbsurdPngHeaderIsRefusedBeforeDecoding) {
  // signature, IHDR 20000x20000 RGB, IEND: no pixel data at all.
  std::vector<uint8_t> png = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  append_be32(png, 13);
  for (char c : std::string("IHDR")) png.push_back(uint8_t(c));
  append_be32(png, 20000);
  append_be32(png, 20000);
  for (uint8_t b : {8, 2, 0, 0, 0}) png.push_back(b);
  append_be32(png, 0);  // CRC (not checked before refusing)
  append_be32(png, 0);
  for (char c : std::string("IEND")) png.push_back(uint8_t(c));
  append_be32(png, 0xAE426082);
  EXPECT_EQ(error_of(png), "pic: image is 20000x20000, larger than the limit of 67 M pixels");
}

TEST(DecodeImage, AbsurdJpegHeaderIsRefusedBeforeDecoding) {
  // Rewrite the frame header of a real JPEG to claim 20000x20000.
  auto bytes = encode(test_bgr(), ".jpg");
  for (size_t i = 2; i + 8 < bytes.size(); ++i)
    if (bytes[i] == 0xFF && bytes[i + 1] == 0xC0) {
      bytes[i + 5] = bytes[i + 7] = 20000 >> 8;
      bytes[i + 6] = bytes[i + 8] = 20000 & 0xFF;
      break;
    }
  EXPECT_EQ(error_of(bytes), "pic: image is 20000x20000, larger than the limit of 67 M pixels");
  ImageLimits tight;
  tight.max_pixels = 1000;
  EXPECT_NE(error_of(encode(test_bgr(), ".jpg"), tight).find("larger than"), std::string::npos);
}

TEST(DecodeImage, MissingFileNamesThePath) {
  try {
    load_image("/nonexistent/x.jpg");
    FAIL();
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()), "/nonexistent/x.jpg: no such file");
  }
}

namespace {

void append_le(std::vector<uint8_t>& v, uint32_t x, int bytes) {
  for (int i = 0; i < bytes; ++i) v.push_back(uint8_t(x >> (8 * i)));
}

// A little-endian 8-bit gray TIFF, one uncompressed strip of 60x40 pixels, whose directory
// says ImageWidth and ImageLength twice: first `first_w` x `first_h`, then 60 x 40.
std::vector<uint8_t> tiff_with_two_sizes(uint32_t first_w, uint32_t first_h) {
  struct Entry { uint16_t tag, type; uint32_t value; };
  const uint32_t w = 60, h = 40;
  const std::vector<Entry> entries = {{256, 4, first_w}, {256, 4, w}, {257, 4, first_h}, {257, 4, h},
                                      {258, 3, 8},       {259, 3, 1}, {262, 3, 1},       {273, 4, 0},
                                      {277, 3, 1},       {278, 4, h}, {279, 4, w * h}};
  const uint32_t ifd = 8, data = ifd + 2 + 12 * uint32_t(entries.size()) + 4;
  std::vector<uint8_t> tiff = {'I', 'I', 42, 0};
  append_le(tiff, ifd, 4);
  append_le(tiff, uint32_t(entries.size()), 2);
  for (const Entry& e : entries) {
    append_le(tiff, e.tag, 2);
    append_le(tiff, e.type, 2);
    append_le(tiff, 1, 4);
    append_le(tiff, e.tag == 273 ? data : e.value, e.type == 3 ? 2 : 4);
    if (e.type == 3) append_le(tiff, 0, 2);
  }
  append_le(tiff, 0, 4);  // no next directory
  tiff.resize(tiff.size() + w * h, 128);
  return tiff;
}

}  // namespace

// The size checked is the decoder's: libtiff keeps the first of two ImageWidth tags. A parser
// of our own read the last pair (60x40), passed the file, and libtiff then decoded the first.
TEST(DecodeImage, ATiffWithTwoSizesIsCheckedAtTheSizeLibtiffDecodes) {
  EXPECT_EQ(error_of(tiff_with_two_sizes(9000, 9000)), "pic: image is 9000x9000, larger than the limit of 67 M pixels");
  ImageLimits tight;
  tight.max_pixels = 1000;  // 60x40 = 2400 would pass; 30x30 = 900 is what libtiff sees
  EXPECT_EQ(error_of(tiff_with_two_sizes(30, 30), tight), "");
  EXPECT_EQ(decode_image(tiff_with_two_sizes(30, 30), "pic", tight).cols, 30);
}

// A header within the pixel limit can still ask for more memory than is sensible: 16-bit RGBA
// at 6000x6000 is 288 MB as decoded (then 8-bit and RGB copies). Refused before decoding.
TEST(DecodeImage, DecodedBytesAreLimitedByChannelsAndDepthNotPixelsAlone) {
  std::vector<uint8_t> png = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  append_be32(png, 13);
  for (char c : std::string("IHDR")) png.push_back(uint8_t(c));
  append_be32(png, 6000);
  append_be32(png, 6000);
  for (uint8_t b : {16, 6, 0, 0, 0}) png.push_back(b);  // 16 bits, RGBA
  append_be32(png, 0);
  append_be32(png, 0);
  for (char c : std::string("IEND")) png.push_back(uint8_t(c));
  append_be32(png, 0xAE426082);
  EXPECT_EQ(error_of(png), "pic: image is 6000x6000 with 4 channels of 16 bits, 274 MiB decoded, larger than the limit of 256 MiB");
  EXPECT_EQ(decoded_size(encode(test_bgr(), ".png"), "pic"), 40 * 60 * 3);
  cv::Mat gray16(40, 60, CV_16UC1, cv::Scalar(1000));
  EXPECT_EQ(decoded_size(encode(gray16, ".png"), "pic"), 40 * 60 * 2);
}

// libjpeg's "Corrupt JPEG data" warnings are errors: OpenCV prints them to stderr and returns
// an image with damaged blocks, which was then classified as if nothing had happened.
TEST(DecodeImage, JpegDataThatLibjpegWarnsAboutIsRefused) {
  const auto good = encode(test_bgr(120, 160), ".jpg");
  EXPECT_EQ(error_of(good), "");
  auto extra = good;  // garbage between the scan and its end marker
  extra.insert(extra.end() - 2, 200, 0x5A);
  EXPECT_FALSE(cv::imdecode(extra, cv::IMREAD_UNCHANGED).empty());  // OpenCV alone takes it
  const std::string err = error_of(extra);
  EXPECT_EQ(err.rfind("pic: corrupt JPEG data (libjpeg: Corrupt JPEG data: ", 0), 0u) << err;
  EXPECT_NE(err.find(" extraneous bytes before marker 0xd9)"), std::string::npos) << err;

  // Bit flips in the entropy-coded data: each is refused with libjpeg's words or decoded, and
  // more are refused than OpenCV alone refuses (it decodes most of them, warning on stderr).
  size_t scan = 0;
  for (size_t i = 2; i + 3 < good.size(); ++i)
    if (good[i] == 0xFF && good[i + 1] == 0xDA) scan = i + 2 + (size_t(good[i + 2]) << 8 | good[i + 3]);
  ASSERT_GT(scan, 0u);
  std::mt19937 rng(7);
  int refused = 0, refused_by_opencv = 0;
  for (int mutant = 0; mutant < 32; ++mutant) {
    auto bytes = good;
    for (int flip = 0; flip < 4; ++flip)
      bytes[scan + rng() % (bytes.size() - 2 - scan)] ^= uint8_t(1u << (rng() % 8));
    const std::string err = error_of(bytes);
    EXPECT_TRUE(err.empty() || err.rfind("pic: corrupt JPEG data (libjpeg: ", 0) == 0) << err;
    refused += !err.empty();
    refused_by_opencv += cv::imdecode(bytes, cv::IMREAD_UNCHANGED).empty();
  }
  EXPECT_GT(refused, refused_by_opencv);
}
