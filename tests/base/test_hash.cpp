// SHA-256 against the FIPS 180-2 example vectors, and a file hashes as its bytes do.
#include <gtest/gtest.h>

#include "base/file_io.h"
#include "base/hash.h"
#include "common/paths.h"

namespace blastscan {
namespace {

TEST(Sha256, MatchesTheFipsVectors) {
  EXPECT_EQ(sha256_hex(std::string_view("")), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex(std::string_view("abc")), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_hex(std::string_view("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST(Sha256, AFileHashesAsItsBytes) {
  const auto path = testing::scratch_dir() / "x.bin";
  std::string bytes(300000, '\0');
  for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = char(i * 31 % 251);
  write_file_atomic(path, bytes);
  EXPECT_EQ(sha256_file_hex(path), sha256_hex(std::string_view(bytes)));
}

}  // namespace
}  // namespace blastscan
