// .npy bytes as numpy.lib.format defines them (version 1.0): the header is a dict literal padded
// so the data starts on a 64-byte boundary; 1-D shapes keep Python's trailing comma. numpy
// itself reads these files in tests/interop (make_models.py, every runtime check).
#include <gtest/gtest.h>

#include <cstring>

#include "formats/npy.h"

namespace blastscan {
namespace {

std::string header_of(const std::vector<uint8_t>& bytes) {
  const size_t length = bytes[8] | (size_t(bytes[9]) << 8);
  return std::string(bytes.begin() + 10, bytes.begin() + 10 + long(length));
}

TEST(Npy, HeaderAlignedAndDataInCOrder) {
  Tensor t({1, 2, 3, 2});
  for (size_t i = 0; i < t.data.size(); ++i) t.data[i] = float(i) - 2.5f;
  const auto bytes = npy_bytes(t);
  ASSERT_EQ(std::string(bytes.begin(), bytes.begin() + 6), "\x93NUMPY");
  EXPECT_EQ(bytes[6], 1);
  EXPECT_EQ(bytes[7], 0);
  const std::string header = header_of(bytes);
  EXPECT_EQ((10 + header.size()) % 64, 0u);
  EXPECT_EQ(header.back(), '\n');
  EXPECT_EQ(header.rfind("{'descr': '<f4', 'fortran_order': False, 'shape': (1,2,3,2), }", 0), 0u) << header;
  ASSERT_EQ(bytes.size(), 10 + header.size() + t.data.size() * 4);
  std::vector<float> back(t.data.size());
  std::memcpy(back.data(), bytes.data() + 10 + header.size(), back.size() * 4);
  EXPECT_EQ(back, t.data);
}

TEST(Npy, OneDimensionalShapeKeepsTheTupleComma) {
  EXPECT_NE(header_of(npy_bytes(Tensor({5}))).find("'shape': (5,)"), std::string::npos);
}

}  // namespace
}  // namespace blastscan
