#include "formats/npy.h"

#include <bit>
#include <cstring>
#include <string>

#include "base/file_io.h"

namespace blastscan {

std::vector<uint8_t> npy_bytes(const Tensor& t) {
  static_assert(std::endian::native == std::endian::little, "npy_bytes writes the host's floats as '<f4'");
  // numpy.lib.format: magic, version 1.0, a uint16 header length, then a Python dict literal
  // padded with spaces and ended by '\n' so that the data starts on a 64-byte boundary.
  std::string shape;
  for (size_t i = 0; i < t.shape.size(); ++i) shape += std::to_string(t.shape[i]) + (t.shape.size() == 1 || i + 1 < t.shape.size() ? "," : "");
  std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + shape + "), }";
  const size_t preamble = 10;  // magic (6) + version (2) + header length (2)
  header.append(63 - (preamble + header.size()) % 64, ' ');
  header += '\n';
  const std::string preamble_bytes = std::string("\x93NUMPY\x01\x00", 8) + char(header.size() & 0xff) + char(header.size() >> 8);
  const std::string head = preamble_bytes + header;
  const size_t data_bytes = t.data.size() * sizeof(float);
  std::vector<uint8_t> bytes(head.size() + data_bytes);
  std::memcpy(bytes.data(), head.data(), head.size());
  std::memcpy(bytes.data() + head.size(), t.data.data(), data_bytes);
  return bytes;
}

void save_npy(const Tensor& t, const std::filesystem::path& path) { write_file_atomic(path, npy_bytes(t)); }

}  // namespace blastscan
