// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), as TFRecord and TensorBoard event
// files use it, and TensorFlow's "masked" form of it, which keeps a CRC of data that itself
// contains CRCs from looking like one. Table-driven, one byte at a time: shards of a few tens of
// megabytes take milliseconds, so no SSE4.2 path.
#pragma once
#include <cstdint>
#include <span>

namespace blastscan {

// The CRC-32C of `bytes`, continuing from `crc` (the CRC of what came before, 0 to start).
uint32_t crc32c(std::span<const uint8_t> bytes, uint32_t crc = 0);

// TensorFlow's crc32c::Mask: rotate right by 15 bits, add 0xa282ead8.
uint32_t mask_crc32c(uint32_t crc);
uint32_t unmask_crc32c(uint32_t masked);

}  // namespace blastscan
