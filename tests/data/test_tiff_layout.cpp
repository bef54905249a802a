// check_tiff_data_inside_file on TIFFs written byte by byte here (classic and BigTIFF, both
// byte orders): a directory entry whose data runs past the end of the file, a directory chain
// that leaves the file or loops, values stored inline (not offsets), the exact last byte; and
// real pyramids written by libvips in both layouts, which must still open.
#include <gtest/gtest.h>

#include <opencv2/core.hpp>

#include "base/error.h"
#include "base/file_io.h"
#include "common/paths.h"
#include "data/slide_source.h"
#include "data/tiff_layout.h"
#include "predict/synthetic_slide.h"

namespace blastscan {
namespace {

namespace fs = std::filesystem;

struct Layout {
  bool big, little;
  const char* name;
  size_t offset_bytes() const { return big ? 8 : 4; }
  size_t entry_bytes() const { return big ? 20 : 12; }
  size_t header_bytes() const { return big ? 16 : 8; }
};
const Layout kLayouts[] = {{false, true, "classic II"}, {false, false, "classic MM"}, {true, true, "BigTIFF II"},
                           {true, false, "BigTIFF MM"}};

struct Entry {
  uint16_t tag, type;
  uint64_t count, value;  // value: the value itself if it fits in the offset field, else its offset
};

// Integers in the layout's byte order, one after another.
struct TiffBytes {
  const Layout& layout;
  std::string bytes;
  void put(uint64_t value, size_t size) {
    for (size_t i = 0; i < size; ++i) bytes += char(value >> (8 * (layout.little ? i : size - 1 - i)));
  }
};

// The header, then one directory holding `entries` and pointing to `next` (0: the last one),
// then `tail` zero bytes.
std::string one_directory_tiff(const Layout& layout, const std::vector<Entry>& entries, size_t tail, uint64_t next = 0) {
  TiffBytes t{layout, layout.little ? "II" : "MM"};
  t.put(layout.big ? 43 : 42, 2);
  if (layout.big) t.put(8, 2), t.put(0, 2);
  t.put(layout.header_bytes(), layout.offset_bytes());
  t.put(entries.size(), layout.big ? 8 : 2);
  for (const Entry& e : entries) {
    t.put(e.tag, 2);
    t.put(e.type, 2);
    t.put(e.count, layout.big ? 8 : 4);
    t.put(e.value, layout.offset_bytes());
  }
  t.put(next, layout.offset_bytes());
  return t.bytes + std::string(tail, '\0');
}

// The InputError check_tiff_data_inside_file throws for the file, or "" if it accepts it.
std::string refusal(const fs::path& path) {
  try {
    check_tiff_data_inside_file(path, path.string());
    return "";
  } catch (const InputError& e) {
    return e.what();
  }
}

std::string refusal(const fs::path& path, const std::string& bytes) {
  write_file_atomic(path, bytes);
  return refusal(path);
}

constexpr uint16_t kImageWidth = 256, kResolutionUnit = 296, kImageDescription = 270;
constexpr uint16_t kShort = 3, kLong = 4, kRational = 5, kUndefined = 7;

TEST(TiffLayout, AnEntryDeclaringMoreDataThanTheFileHoldsIsRefusedBeforeOpenSlideOpensTheFile) {
  const fs::path dir = testing::scratch_dir();
  for (const Layout& layout : kLayouts) {
    // What fuzz_slide found: ResolutionUnit declaring 2^30+1 SHORTs (2 GiB) in a small file.
    const std::string bytes =
        one_directory_tiff(layout, {{kImageWidth, kShort, 1, 64}, {kResolutionUnit, kShort, (1u << 30) + 1, 3}}, 100);
    const fs::path path = dir / (std::string(layout.big ? "big" : "classic") + (layout.little ? "_le" : "_be") + ".tif");
    write_file_atomic(path, bytes);
    const std::string expected = path.string() + ": TIFF directory 0: entry 1 (tag 296) declares 1073741825 values of "
                                 "2 bytes at offset 3, past the end of the file (" + std::to_string(bytes.size()) + " bytes)";
    EXPECT_EQ(refusal(path), expected) << layout.name;
    try {
      open_slide_file(path);
      ADD_FAILURE() << layout.name << ": opened";
    } catch (const InputError& e) {
      EXPECT_EQ(std::string(e.what()), expected) << layout.name;
    }
  }
}

TEST(TiffLayout, DataEndingAtTheLastByteOfTheFileIsInsideAndOneByteMoreIsNot) {
  const fs::path path = testing::scratch_dir() / "edge.tif";
  for (const Layout& layout : kLayouts) {
    const size_t size = one_directory_tiff(layout, {{kImageDescription, kUndefined, 0, 0}}, 64).size();
    const uint64_t at = size - 64;  // the tail
    EXPECT_EQ(refusal(path, one_directory_tiff(layout, {{kImageDescription, kUndefined, 64, at}}, 64)), "") << layout.name;
    EXPECT_EQ(refusal(path, one_directory_tiff(layout, {{kImageDescription, kShort, 32, at}}, 64)), "") << layout.name;
    EXPECT_EQ(refusal(path, one_directory_tiff(layout, {{kImageDescription, kUndefined, 65, at}}, 64)),
              path.string() + ": TIFF directory 0: entry 0 (tag 270) declares 65 values of 1 byte at offset " +
                  std::to_string(at) + ", past the end of the file (" + std::to_string(size) + " bytes)")
        << layout.name;
    EXPECT_NE(refusal(path, one_directory_tiff(layout, {{kImageDescription, kShort, 33, at}}, 64)), "") << layout.name;
    // RATIONALs: 32 GiB in a classic TIFF; 2^64 bytes in a BigTIFF, which wraps to 0 in 64 bits.
    const uint64_t huge = layout.big ? uint64_t(1) << 61 : 0xffffffff;
    EXPECT_NE(refusal(path, one_directory_tiff(layout, {{kImageDescription, kRational, huge, 16}}, 64)), "")
        << layout.name;
  }
}

TEST(TiffLayout, ValuesStoredInTheEntryItselfAreNotOffsets) {
  const fs::path path = testing::scratch_dir() / "inline.tif";
  const Layout &classic = kLayouts[0], &big = kLayouts[2];
  // Up to 4 bytes (classic) or 8 bytes (BigTIFF) of values sit in the offset field, whatever they say.
  EXPECT_EQ(refusal(path, one_directory_tiff(classic, {{kImageWidth, kShort, 2, 0xffffffff}, {kImageWidth, kLong, 1, 0xfffffff0}}, 0)), "");
  EXPECT_EQ(refusal(path, one_directory_tiff(big, {{kImageWidth, kLong, 2, ~uint64_t(0)}, {kResolutionUnit, kRational, 1, ~uint64_t(0)}}, 0)), "");
  // A RATIONAL is 8 bytes: inline in a BigTIFF, an offset in a classic TIFF.
  EXPECT_NE(refusal(path, one_directory_tiff(classic, {{kResolutionUnit, kRational, 1, 0xfffffff0}}, 0)), "");
  // A type TIFF does not define has no size to check (OpenSlide refuses it, libtiff skips it).
  EXPECT_EQ(refusal(path, one_directory_tiff(classic, {{kImageWidth, 99, 0xffffffff, 0xfffffff0}}, 0)), "");
}

TEST(TiffLayout, DirectoryChainsThatLeaveTheFileOrLoopAreRefused) {
  const fs::path path = testing::scratch_dir() / "chain.tif";
  const std::string name = path.string();
  for (const Layout& layout : kLayouts) {
    const std::string past = one_directory_tiff(layout, {}, 10, 1 << 30);
    EXPECT_EQ(refusal(path, past), name + ": TIFF directory 1 at offset 1073741824 starts past the end of the file (" +
                                       std::to_string(past.size()) + " bytes)") << layout.name;
    const uint64_t first = layout.header_bytes();
    EXPECT_EQ(refusal(path, one_directory_tiff(layout, {}, 10, first)),
              name + ": TIFF directory 1 at offset " + std::to_string(first) +
                  " overlaps an earlier directory (a damaged or looping directory chain)") << layout.name;
    EXPECT_NE(refusal(path, one_directory_tiff(layout, {}, 10, first + 1)), "") << layout.name;  // overlapping, no loop
    // A directory declaring more entries than the file holds (its entry count patched).
    std::string many = one_directory_tiff(layout, {{kImageWidth, kShort, 1, 64}}, 10);
    many[first + (layout.little ? 0 : (layout.big ? 7 : 1))] = char(200);
    EXPECT_EQ(refusal(path, many), name + ": TIFF directory 0 at offset " + std::to_string(first) + " declares 200 entries of " +
                                       std::to_string(layout.entry_bytes()) + " bytes, running past the end of the file (" +
                                       std::to_string(many.size()) + " bytes)") << layout.name;
  }
  // Chained empty directories: two are fine, 65,537 are more than any slide has.
  const auto chained = [](int directories) {
    TiffBytes t{kLayouts[0], "II"};
    t.put(42, 2);
    t.put(8, 4);
    for (int i = 0; i < directories; ++i) t.put(0, 2), t.put(i + 1 < directories ? 8 + 6 * (i + 1) : 0, 4);
    return t.bytes;
  };
  EXPECT_EQ(refusal(path, chained(2)), "");
  EXPECT_EQ(refusal(path, chained(65537)), name + ": more than 65536 TIFF directories");
}

TEST(TiffLayout, FilesThatAreNotTiffsAreLeftToTheirReaders) {
  const fs::path path = testing::scratch_dir() / "other";
  EXPECT_EQ(refusal(path, "\xFF\xD8\xFF\xE0 a JPEG"), "");
  EXPECT_EQ(refusal(path, std::string("II\x2b\0\x04\0\0\0", 8)), "");  // BigTIFF with 4-byte offsets: not one
  EXPECT_EQ(refusal(path, "II"), "");
  EXPECT_EQ(refusal(testing::scratch_dir() / "missing.tif"), "");
}

TEST(TiffLayout, PyramidsWrittenByLibvipsInBothLayoutsStillOpen) {
  cv::Mat rgb(300, 400, CV_8UC3);
  cv::randu(rgb, 0, 256);
  for (const bool bigtiff : {false, true}) {
    const fs::path tiff = testing::scratch_dir() / (bigtiff ? "big.tif" : "classic.tif");
    ASSERT_EQ(testing::write_pyramidal_tiff(tiff, rgb, 128, bigtiff), 0);
    EXPECT_EQ(refusal(tiff), "") << tiff;
    const auto slide = open_slide_file(tiff);
    EXPECT_EQ(slide->size(), cv::Size(400, 300));
    EXPECT_EQ(cv::norm(slide->read({50, 60, 200, 150}), rgb({50, 60, 200, 150}), cv::NORM_INF), 0.0) << tiff;
  }
}

}  // namespace
}  // namespace blastscan
