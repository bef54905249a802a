// CRC-32C against published test vectors (RFC 3720 appendix B.4, and the "123456789" check
// value of the CRC catalogue), plus TensorFlow's masking.
#include <gtest/gtest.h>

#include <numeric>
#include <string_view>
#include <vector>

#include "formats/crc32c.h"

using namespace blastscan;

namespace {
std::span<const uint8_t> bytes_of(std::string_view s) { return {reinterpret_cast<const uint8_t*>(s.data()), s.size()}; }
}  // namespace

TEST(Crc32c, PublishedVectors) {
  EXPECT_EQ(crc32c(std::vector<uint8_t>(32, 0x00)), 0x8A9136AAu);
  EXPECT_EQ(crc32c(std::vector<uint8_t>(32, 0xFF)), 0x62A8AB43u);
  std::vector<uint8_t> ascending(32), descending(32);
  std::iota(ascending.begin(), ascending.end(), 0);
  for (int i = 0; i < 32; ++i) descending[i] = uint8_t(31 - i);
  EXPECT_EQ(crc32c(ascending), 0x46DD794Eu);
  EXPECT_EQ(crc32c(descending), 0x113FDB5Cu);
  EXPECT_EQ(crc32c(bytes_of("123456789")), 0xE3069283u);
  EXPECT_EQ(crc32c({}), 0u);
}

TEST(Crc32c, ExtendsInPieces) {
  const auto all = bytes_of("hello tfrecord world");
  EXPECT_EQ(crc32c(all.subspan(6), crc32c(all.first(6))), crc32c(all));
}

TEST(Crc32c, MaskRoundTripsAndDiffers) {
  for (uint32_t crc : {0u, 1u, 0xE3069283u, 0xFFFFFFFFu}) {
    EXPECT_EQ(unmask_crc32c(mask_crc32c(crc)), crc);
    EXPECT_NE(mask_crc32c(crc), crc);
  }
  // TensorFlow: Mask(crc) = ((crc >> 15) | (crc << 17)) + 0xa282ead8
  EXPECT_EQ(mask_crc32c(0), 0xa282ead8u);
  EXPECT_EQ(mask_crc32c(0x00008000u), 0xa282ead9u);
}
