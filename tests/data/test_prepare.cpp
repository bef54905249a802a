// prepare's steps on a scratch dataset with bad files among good ones, and TFRecord shards read
// back record by record and decoded again.
#include <gtest/gtest.h>

#include <algorithm>

#include "base/error.h"
#include "base/file_io.h"
#include "base/hash.h"
#include "common/paths.h"
#include "data/image.h"
#include "data/prepare.h"
#include "data/split.h"
#include "formats/tf_example.h"
#include "formats/tfrecord.h"
#include "synthetic_images.h"

using namespace blastscan;
using blastscan::testing::write_test_image;

namespace {

fs::path make_dataset(const fs::path& root) {
  for (int i = 0; i < 6; ++i) {
    write_test_image(root / "A" / ("a" + std::to_string(i) + ".png"), i);
    write_test_image(root / "B" / ("b" + std::to_string(i) + ".jpg"), 100 + i);
  }
  return root;
}

}  // namespace

TEST(VerifyImages, BadFilesAreListedWithReasons) {
  const auto root = make_dataset(blastscan::testing::scratch_dir());
  auto bytes = read_file(root / "A" / "a0.png");
  bytes.resize(bytes.size() / 2);
  write_file_atomic(root / "A" / "a0.png", bytes);
  write_file_atomic(root / "B" / "garbage.jpg", "not a picture");
  write_test_image(root / "B" / "tiny.png", 1, 8, 8);
  Dataset ds = scan_dataset(root);
  verify_images(ds, 2);
  EXPECT_EQ(ds.samples.size(), 11u);
  ASSERT_EQ(ds.skipped.size(), 3u);
  std::map<std::string, std::string> reasons;
  for (const auto& s : ds.skipped) reasons[s.path.filename().string()] = s.reason;
  EXPECT_EQ(reasons["a0.png"], "truncated png (the file ends before its image data)");
  EXPECT_EQ(reasons["garbage.jpg"], "not an image (JPEG, PNG, TIFF or BMP expected)");
  EXPECT_EQ(reasons["tiny.png"], "image is 8x8, smaller than the 16-pixel minimum side");
  for (const auto& s : ds.samples) EXPECT_EQ(s.hash, sha256_file_hex(s.path));
}

TEST(VerifyImages, ReportsEachImageToTheCallerAndPrintsNothing) {
  const auto root = make_dataset(blastscan::testing::scratch_dir());
  Dataset ds = scan_dataset(root);
  const size_t n = ds.samples.size();
  std::vector<size_t> done;
  size_t finished = 0;
  ::testing::internal::CaptureStderr();
  verify_images(ds, 2, [&](const ProgressUpdate& u) {
    EXPECT_EQ(u.total, n);
    EXPECT_EQ(u.task, "checking images");
    if (u.finished) ++finished;
    else done.push_back(u.done);
  });
  EXPECT_EQ(::testing::internal::GetCapturedStderr(), "");  // the library never draws
  EXPECT_EQ(finished, 1u);
  ASSERT_EQ(done.size(), n + 1);  // the start, then one per image
  for (size_t i = 0; i < done.size(); ++i) EXPECT_EQ(done[i], i);
}

TEST(VerifyImages, AClassWithNoReadableImageIsAnError) {
  const auto root = blastscan::testing::scratch_dir();
  write_test_image(root / "A" / "a.png", 1);
  write_file_atomic(root / "B" / "b.jpg", "junk");
  Dataset ds = scan_dataset(root);
  EXPECT_THROW(verify_images(ds), InputError);
}

TEST(DropDuplicates, KeepsTheFirstByPath) {
  const auto root = make_dataset(blastscan::testing::scratch_dir());
  fs::copy_file(root / "A" / "a1.png", root / "A" / "a9.png");
  fs::copy_file(root / "A" / "a2.png", root / "B" / "z.png");  // same bytes, other class
  Dataset ds = scan_dataset(root);
  verify_images(ds);
  const auto dups = drop_duplicates(ds);
  ASSERT_EQ(dups.size(), 2u);
  EXPECT_EQ(dups[0].kept, root / "A" / "a1.png");
  EXPECT_EQ(dups[0].dropped, root / "A" / "a9.png");
  EXPECT_EQ(ds.samples.size(), 12u);
  EXPECT_NE(ds.skipped.back().reason.find("(labelled A there, B here)"), std::string::npos);
}

// prepare and train on a folder run one pipeline: the same split as the four steps by hand,
// the duplicates and unreadable files listed, and a bad group rule refused before any image is read.
TEST(PrepareDataset, IsTheFourStepsInOrderAndChecksTheGroupRuleFirst) {
  const auto root = make_dataset(blastscan::testing::scratch_dir());
  fs::copy_file(root / "A" / "a1.png", root / "A" / "a9.png");
  write_file_atomic(root / "B" / "garbage.jpg", "not a picture");
  Dataset by_hand = scan_dataset(root);
  verify_images(by_hand);
  drop_duplicates(by_hand);
  assign_groups(by_hand, parse_group_by("blocks:2"));
  split_dataset(by_hand, 0.3, 7);

  Dataset ds = scan_dataset(root);
  const auto duplicates = prepare_dataset(ds, {.group_by = "blocks:2", .validation = 0.3, .seed = 7});
  ASSERT_EQ(duplicates.size(), 1u);
  EXPECT_EQ(duplicates[0].dropped, root / "A" / "a9.png");
  ASSERT_EQ(ds.skipped.size(), 2u);  // the unreadable file first, then the duplicate
  EXPECT_EQ(ds.skipped[0].path, root / "B" / "garbage.jpg");
  EXPECT_EQ(ds.skipped[1].path, root / "A" / "a9.png");
  ASSERT_EQ(ds.samples.size(), by_hand.samples.size());
  for (size_t i = 0; i < ds.samples.size(); ++i) {
    EXPECT_EQ(ds.samples[i].path, by_hand.samples[i].path);
    EXPECT_EQ(ds.samples[i].group, by_hand.samples[i].group) << ds.samples[i].path;
    EXPECT_EQ(ds.samples[i].split, by_hand.samples[i].split) << ds.samples[i].path;
  }

  Dataset bad = scan_dataset(root);
  size_t updates = 0;
  EXPECT_THROW(prepare_dataset(bad, {.group_by = "blocks:x"}, 0, [&](const ProgressUpdate&) { ++updates; }),
               InputError);
  EXPECT_EQ(updates, 0u);  // no image was checked
}

TEST(TfRecordShards, RoundTripEveryImage) {
  const auto root = make_dataset(blastscan::testing::scratch_dir() / "data");
  Dataset ds = scan_dataset(root);
  verify_images(ds);
  split_dataset(ds, 0.5, 50);
  const auto out = root.parent_path() / "out";
  const auto shards = write_tfrecord_shards(ds, out, "cells", 3, 50);
  ASSERT_EQ(shards.size(), 6u);
  EXPECT_EQ(shards[0].filename(), "cells_train_00000-of-00003.tfrecord");
  EXPECT_EQ(shards[5].filename(), "cells_validation_00002-of-00003.tfrecord");
  std::map<std::string, const Sample*> by_hash;
  for (const auto& s : ds.samples) by_hash[s.hash] = &s;
  size_t seen = 0;
  for (const auto& shard : shards) {
    const bool train = shard.filename().string().starts_with("cells_train");
    for (const auto& record : read_tfrecord_file(shard)) {
      const ImageExample ex = parse_image_example(record, shard.string());
      const Sample* s = by_hash.at(sha256_hex(ex.encoded));
      EXPECT_EQ(s->split, train ? "train" : "validation");
      EXPECT_EQ(ex.label, s->label);
      EXPECT_EQ(ex.format, s->path.extension() == ".jpg" ? "jpg" : "png");
      EXPECT_EQ(ex.width, 32);
      EXPECT_EQ(ex.height, 24);
      EXPECT_EQ(decode_image(ex.encoded, "record").cols, 32);
      ++seen;
    }
  }
  EXPECT_EQ(seen, 12u);
  for (const auto& f : fs::directory_iterator(out)) EXPECT_EQ(f.path().extension(), ".tfrecord");  // no temporaries
}

// A run killed mid-write leaves ".NAME.tmpNNN" temporaries; the next run removes those of
// prepare's outputs with the outputs themselves, and nothing else in the folder.
TEST(ClearPreparedOutputs, RemovesOutputsAndTheTemporariesOfKilledRuns) {
  const auto out = blastscan::testing::scratch_dir() / "out";
  const std::vector<std::string> outputs = {"manifest.json", "manifest.csv", "labels.txt", "cells_train_00000-of-00003.tfrecord",
                                            "cells_validation_00002-of-00003.tfrecord"};
  std::vector<std::string> kept = {"notes.txt", "cells_train_extra.tfrecord", ".hidden", ".notes.txt.tmp1", "other.tmp3"};
  for (const auto& name : outputs) {
    write_file_atomic(out / name, std::string_view("x"));
    write_file_atomic(temporary_path_for(out / name), std::string_view("partial"));
  }
  for (const auto& name : kept) write_file_atomic(out / name, std::string_view("mine"));
  clear_prepared_outputs(out);
  std::vector<std::string> left;
  for (const auto& f : fs::directory_iterator(out)) left.push_back(f.path().filename().string());
  std::sort(left.begin(), left.end());
  std::sort(kept.begin(), kept.end());
  EXPECT_EQ(left, kept);
}
