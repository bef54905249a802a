// The bottleneck cache with a small random backbone (up to Conv2d_2a_3x3, 32 features) on
// synthetic images: features are computed once and read back bit for bit, damaged entries are
// detected, recomputed and rewritten (never trusted), keys follow the image bytes and the
// backbone weights, and distorted views are deterministic whatever else is extracted with them.
#include <gtest/gtest.h>

#include "base/error.h"
#include "base/file_io.h"
#include "common/paths.h"
#include "data/synthetic_images.h"
#include "inception/random_model.h"
#include "train/bottleneck_cache.h"
#include "train/feature_extractor.h"

namespace blastscan {
namespace {

namespace fs = std::filesystem;

struct CacheFixture {
  fs::path dir = testing::scratch_dir();
  Model model = make_random_model("Conv2d_2a_3x3", 0, 5);
  std::vector<fs::path> images;
  ExtractOptions options;
  CacheFixture() {
    for (int i = 0; i < 5; ++i) {
      images.push_back(dir / ("img" + std::to_string(i) + ".png"));
      testing::write_test_image(images.back(), i, 40, 36);
    }
    options.cache_dir = dir / "cache";
    options.batch = 2;  // 5 images: two full batches and a partial one
  }
  std::vector<fs::path> entry_files() const {
    std::vector<fs::path> files;
    for (const auto& e : fs::recursive_directory_iterator(options.cache_dir))
      if (e.path().extension() == ".bin") files.push_back(e.path());
    std::sort(files.begin(), files.end());
    return files;
  }
};

TEST(BottleneckCache, SecondPassReadsWhatTheFirstComputed) {
  CacheFixture f;
  ExtractStats first, second;
  const auto a = extract_features(f.model, f.images, f.options, &first);
  const auto b = extract_features(f.model, f.images, f.options, &second);
  EXPECT_EQ(feature_dim(f.model), 32);
  EXPECT_EQ(a.size(), 5u * 32);
  EXPECT_EQ(first.computed, 5u);
  EXPECT_EQ(second.cached, 5u);
  EXPECT_EQ(second.computed, 0u);
  EXPECT_EQ(a, b);
  EXPECT_EQ(f.entry_files().size(), 5u);
}

TEST(BottleneckCache, DamagedEntriesAreRecomputedNotTrusted) {
  CacheFixture f;
  const auto clean = extract_features(f.model, f.images, f.options);
  const auto files = f.entry_files();
  auto flipped = read_file(files[0]);
  flipped.back() ^= 0x40;  // a float's bits: only the CRC can tell
  write_file_atomic(files[0], flipped);
  const auto whole = read_file(files[1]);
  const std::vector<uint8_t> truncated(whole.begin(), whole.end() - 4);
  write_file_atomic(files[1], truncated);
  write_file_atomic(files[2], std::string_view("garbage"));

  ExtractStats stats;
  const auto again = extract_features(f.model, f.images, f.options, &stats);
  EXPECT_EQ(stats.computed, 3u);
  EXPECT_EQ(again, clean);
  ExtractStats healed;
  extract_features(f.model, f.images, f.options, &healed);
  EXPECT_EQ(healed.cached, 5u) << "damaged entries were rewritten";
}

TEST(BottleneckCache, KeyedByImageBytesNotName) {
  CacheFixture f;
  extract_features(f.model, f.images, f.options);
  const fs::path copy = f.dir / "renamed_copy.png";
  fs::copy_file(f.images[3], copy);
  ExtractStats stats;
  extract_features(f.model, {copy}, f.options, &stats);
  EXPECT_EQ(stats.cached, 1u);
}

TEST(BottleneckCache, BackboneIdFollowsWeightsNotHead) {
  const Model a = make_random_model("Conv2d_2a_3x3", 0, 5);
  Model with_head = a;
  with_head.head = make_random_model("Conv2d_2a_3x3", 2, 5).head;
  EXPECT_EQ(backbone_id(a, 299), backbone_id(with_head, 299));
  EXPECT_NE(backbone_id(a, 299), backbone_id(make_random_model("Conv2d_2a_3x3", 0, 6), 299));
  EXPECT_NE(backbone_id(a, 299), backbone_id(a, 224));
  Model other_preprocessing = a;
  other_preprocessing.preprocessing = "whole";
  EXPECT_NE(backbone_id(a, 299), backbone_id(other_preprocessing, 299));
}

TEST(BottleneckCache, DistortedViewsAreSeededPerImage) {
  CacheFixture f;
  f.options.distortions = 2;
  const auto all = extract_features(f.model, f.images, f.options);
  ASSERT_EQ(all.size(), 5u * 3 * 32);
  const auto row = [](const std::vector<float>& v, size_t image, size_t view) {
    return std::vector<float>(v.begin() + ptrdiff_t((image * 3 + view) * 32), v.begin() + ptrdiff_t((image * 3 + view + 1) * 32));
  };
  EXPECT_NE(row(all, 1, 0), row(all, 1, 1));
  EXPECT_NE(row(all, 1, 1), row(all, 1, 2));
  // The same image alone, in a fresh cache, gives the same views: they depend on its bytes only.
  f.options.cache_dir = f.dir / "fresh";
  const auto alone = extract_features(f.model, {f.images[1]}, f.options);
  for (size_t v = 0; v < 3; ++v) EXPECT_EQ(row(alone, 0, v), row(all, 1, v)) << "view " << v;
  // Another seed, other distortions; the clean view stays.
  f.options.seed = 51;
  const auto reseeded = extract_features(f.model, {f.images[1]}, f.options);
  EXPECT_EQ(row(reseeded, 0, 0), row(all, 1, 0));
  EXPECT_NE(row(reseeded, 0, 1), row(all, 1, 1));
}

TEST(BottleneckCache, UnreadableImageIsAnErrorNamingIt) {
  CacheFixture f;
  write_file_atomic(f.images[2], std::string_view("not an image"));
  try {
    extract_features(f.model, f.images, f.options);
    FAIL() << "a broken image was accepted";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("img2.png"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace blastscan
