// Nothing lost to kill -9: `prepare`, `augment`, `train` and `export` are killed at random
// moments (uniform over a measured full run), at least 20 times each, on small data. After
// every kill, each file under a final output name is whole (it parses to the end: manifests,
// labels, TFRecord shards with their CRCs, models, checkpoints, images, JSON, SVG) and no
// leftover temporary matches an output pattern; prepare's manifest agrees with the shards
// beside it although the kills alternate two split seeds. Every few kills a run is let finish:
// it must succeed (resuming or rebuilding) and write what an undisturbed run writes, so no
// broken file (a cache entry, a checkpoint, a shard) was trusted.
#include <gtest/gtest.h>

#include <fnmatch.h>

#include <chrono>
#include <csignal>
#include <random>
#include <thread>

#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>

#include "base/error.h"
#include "base/file_io.h"
#include "base/hash.h"
#include "cli/model_fixture.h"
#include "common/child_process.h"
#include "data/image.h"
#include "data/manifest.h"
#include "formats/labels.h"
#include "formats/tf_example.h"
#include "formats/tfrecord.h"
#include "train/checkpoint.h"

namespace blastscan {
namespace {

using namespace blastscan::testing;
using Clock = std::chrono::steady_clock;

constexpr int kKills = 20;
constexpr int kFinishEvery = 5;  // a run let finish after every 5 kills

// ---- what a whole file is, by its name

bool is_image_name(const std::string& name) { return name.ends_with(".jpg") || name.ends_with(".png"); }

// Names a reader could take for output: the final names and the globs readers use, matched as
// a shell does (a leading dot only by a leading dot, so ".NAME.tmpNNN" temporaries match none).
bool matches_output_pattern(const std::string& name) {
  for (const char* glob : {"*.pb", "*.onnx", "*.json", "*.csv", "*.txt", "*.bin", "*.svg", "*.tfrecord", "*.jpg", "*.png",
                           "*_train_*", "*_validation_*", "events.out.tfevents.*"})
    if (fnmatch(glob, name.c_str(), FNM_PERIOD) == 0) return true;
  return false;
}

// Every file name under `dir` (recursively), for comparing whole folders.
std::vector<std::string> all_files(const fs::path& dir) {
  std::vector<std::string> out;
  for (const auto& entry : fs::recursive_directory_iterator(dir))
    if (entry.is_regular_file()) out.push_back(fs::relative(entry.path(), dir).string());
  std::sort(out.begin(), out.end());
  return out;
}

// "" if the file under a final name parses to its end, else what is wrong.
std::string whole(const fs::path& path) {
  const std::string name = path.filename().string();
  try {
    if (name.ends_with(".tfrecord")) {
      for (const auto& record : read_tfrecord_file(path)) parse_image_example(record, name);
    } else if (name == "manifest.json" || name == "manifest.csv") {
      load_manifest(path);
    } else if (name.ends_with(".json")) {
      if (nlohmann::json::parse(read_text_file(path)).is_discarded()) return "not JSON";
    } else if (name == "labels.txt") {
      parse_labels(read_text_file(path), name);
    } else if (name.ends_with(".pb")) {
      parse_graphdef(read_file(path), name);
    } else if (name == "checkpoint.bin") {
      load_checkpoint(path);
    } else if (name.ends_with(".svg")) {
      if (!read_text_file(path).ends_with("</svg>\n")) return "an SVG without its end";
    } else if (is_image_name(name)) {
      load_image(path);
    } else if (name.ends_with(".csv")) {
      if (!read_text_file(path).ends_with("\n")) return "a CSV without its last newline";
    } else if (name.ends_with(".onnx")) {
      if (read_file(path).empty()) return "an empty ONNX file";
    }
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

// Every file under `dir`: whole if it has an output's name, else a temporary whose name no
// output pattern matches. Event files are a log TensorBoard reads up to its last whole record.
void expect_no_partial_outputs(const fs::path& dir, const std::string& when) {
  if (!fs::exists(dir)) return;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    const std::string name = entry.path().filename().string();
    if (name.rfind("events.out.tfevents.", 0) == 0) continue;
    const bool final_name = matches_output_pattern(name) && name.find(".tmp") == std::string::npos;
    if (final_name) {
      EXPECT_EQ(whole(entry.path()), "") << when << ": " << entry.path();
    } else {
      EXPECT_FALSE(matches_output_pattern(name)) << when << ": a temporary matches an output pattern: " << entry.path();
    }
  }
}

// prepare's shards hold the images its manifest puts in their split.
void expect_shards_agree_with_manifest(const fs::path& dir, const std::string& when) {
  if (!fs::exists(dir / "manifest.json")) return;
  Dataset ds;
  try {
    ds = load_manifest(dir / "manifest.json");
  } catch (const std::exception&) {
    return;  // reported by expect_no_partial_outputs
  }
  std::map<std::string, std::string> split_of_hash;
  for (const auto& s : ds.samples) split_of_hash[s.hash] = s.split;
  for (const auto& entry : fs::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (!name.ends_with(".tfrecord")) continue;
    const std::string split = name.find("_train_") != std::string::npos ? "train" : "validation";
    std::vector<std::vector<uint8_t>> records;
    try {
      records = read_tfrecord_file(entry.path());
    } catch (const std::exception&) {
      continue;  // reported by expect_no_partial_outputs
    }
    for (const auto& record : records) {
      const ImageExample example = parse_image_example(record, name);
      EXPECT_EQ(split_of_hash[sha256_hex(example.encoded)], split)
          << when << ": " << name << " holds an image manifest.json puts in another split";
    }
  }
}

// ---- running and killing

struct RunResult {
  int status = -1;
  double seconds = 0;
  std::string log;
};

RunResult run_to_end(const std::vector<std::string>& args, const fs::path& log) {
  std::vector<std::string> argv = {blastscan_binary().string()};
  argv.insert(argv.end(), args.begin(), args.end());
  const auto start = Clock::now();
  ChildProcess child(argv, log);
  const auto status = child.wait(std::chrono::seconds(600));
  return {status.value_or(-1), std::chrono::duration<double>(Clock::now() - start).count(), child.log_text()};
}

void kill_after(const std::vector<std::string>& args, const fs::path& log, double seconds) {
  std::vector<std::string> argv = {blastscan_binary().string()};
  argv.insert(argv.end(), args.begin(), args.end());
  ChildProcess child(argv, log);
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  child.stop(SIGKILL);
}

// The outputs of a folder (files under final names) and their bytes, for comparing a run with
// an undisturbed one.
std::map<std::string, std::string> contents(const fs::path& dir) {
  std::map<std::string, std::string> out;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (entry.is_regular_file() && matches_output_pattern(name) && name.find(".tmp") == std::string::npos &&
        name.rfind("events.out.tfevents.", 0) != 0)
      out[fs::relative(entry.path(), dir).string()] = read_text_file(entry.path());
  }
  return out;
}

std::vector<std::string> names(const std::map<std::string, std::string>& files) {
  std::vector<std::string> out;
  for (const auto& [name, bytes] : files) out.push_back(name);
  return out;
}

// Kills `args_for(i)` kKills times at random moments of a run that takes `full` seconds, with
// the checks after each kill; after every kFinishEvery kills, lets `args_for(i)` finish and
// hands its exit to `check_finished`.
template <class ArgsFor, class AfterKill, class CheckFinished>
void kill_repeatedly(const fs::path& logs, double full, ArgsFor args_for, AfterKill after_kill,
                     CheckFinished check_finished) {
  std::mt19937 rng(11);
  for (int i = 0; i < kKills; ++i) {
    const double at = full * std::uniform_real_distribution<double>(0.02, 1.0)(rng);
    kill_after(args_for(i), logs / ("kill_" + std::to_string(i) + ".log"), at);
    after_kill("kill " + std::to_string(i) + " at " + std::to_string(at) + " s");
    if ((i + 1) % kFinishEvery == 0) {
      const RunResult run = run_to_end(args_for(i), logs / ("finish_" + std::to_string(i) + ".log"));
      check_finished(run, i);
    }
  }
}

fs::path small_dataset(const fs::path& dir) {
  const fs::path taleqani = shared_dir() / "data" / "taleqani";
  for (const char* cls : {"Benign", "Pro"}) {
    fs::create_directories(dir / cls);
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(taleqani / cls)) files.push_back(e.path());
    std::sort(files.begin(), files.end());
    for (int i = 0; i < 8; ++i) fs::copy_file(files[i], dir / cls / files[i].filename());
  }
  return dir;
}

class Kill9 : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists(shared_dir() / "data" / "taleqani")) GTEST_SKIP() << "no shared images";
    setenv("GOMP_SPINCOUNT", "2000", 0);  // one process start per run (main.cpp would re-execute)
    dir = scratch_dir();
    fs::create_directories(dir / "logs");
    data = small_dataset(dir / "data");
  }
  fs::path dir, data;
};

// ---- the commands

// A re-run with another seed killed while it writes shards must never leave the old manifest
// beside new shards (it did: 278 of 1,809 training-shard images were validation images by it).
TEST_F(Kill9, PrepareWithShards) {
  const fs::path out = dir / "prepared";
  auto args = [&](int i) {
    return std::vector<std::string>{"prepare", data.string(), "--out", out.string(), "--tfrecord", "--shards", "3",
                                    "--seed", i % 2 ? "51" : "50"};
  };
  const fs::path reference = dir / "reference";
  const RunResult full = run_to_end({"prepare", data.string(), "--out", reference.string(), "--tfrecord", "--shards", "3",
                               "--seed", "51"},
                              dir / "logs" / "reference.log");
  ASSERT_EQ(full.status, 0) << full.log;
  kill_repeatedly(
      dir / "logs", full.seconds, args,
      [&](const std::string& when) {
        expect_no_partial_outputs(out, when);
        expect_shards_agree_with_manifest(out, when);
      },
      [&](const RunResult& run, int i) {
        ASSERT_EQ(run.status, 0) << run.log;
        expect_no_partial_outputs(out, "finished");
        expect_shards_agree_with_manifest(out, "finished");
        // Stale temporaries of the killed runs are gone too: the folder converges.
        EXPECT_EQ(all_files(out), all_files(reference)) << "a finished run leaves other files than an undisturbed one";
        if (i % 2) {  // the reference's seed
          EXPECT_EQ(contents(out), contents(reference)) << "a finished run differs from an undisturbed one";
        }
      });
}

TEST_F(Kill9, Augment) {
  const fs::path prepared = dir / "prepared";
  ASSERT_EQ(run_to_end({"prepare", data.string(), "--out", prepared.string()}, dir / "logs" / "prepare.log").status, 0);
  const fs::path out = dir / "augmented", reference = dir / "reference";
  auto args_to = [&](const fs::path& o) {
    return std::vector<std::string>{"augment", prepared.string(), "--out", o.string(), "--rotations", "4"};
  };
  const RunResult full = run_to_end(args_to(reference), dir / "logs" / "reference.log");
  ASSERT_EQ(full.status, 0) << full.log;
  kill_repeatedly(
      dir / "logs", full.seconds, [&](int) { return args_to(out); },
      [&](const std::string& when) { expect_no_partial_outputs(out, when); },
      [&](const RunResult& run, int) {
        ASSERT_EQ(run.status, 0) << run.log;
        expect_no_partial_outputs(out, "finished");
        const auto got = contents(out), expected = contents(reference);
        EXPECT_EQ(names(got), names(expected));
        for (const auto& [name, bytes] : expected)
          EXPECT_TRUE(got.count(name) && got.at(name) == bytes) << name << " differs from an undisturbed run's";
      });
}

// Training with its feature cache and per-epoch checkpoints; a finished run after kills
// (resuming where a checkpoint is whole) writes the model an undisturbed run writes.
TEST_F(Kill9, TrainWithFeatureCacheAndCheckpoints) {
  Model backbone = make_random_model("Conv2d_2a_3x3", 0, 9);
  save_model(backbone, dir / "backbone.pb");
  const fs::path out = dir / "run", cache = dir / "cache";
  auto args_to = [&](const fs::path& o, const fs::path& c, bool resume) {
    std::vector<std::string> a = {"train", "--backbone", (dir / "backbone.pb").string(), "--data", data.string(), "--out",
                                  o.string(), "--cache", c.string(), "--epochs", "40", "--threads", "1"};
    if (resume) a.push_back("--resume");
    return a;
  };
  const RunResult full = run_to_end(args_to(dir / "reference", dir / "reference-cache", false), dir / "logs" / "reference.log");
  ASSERT_EQ(full.status, 0) << full.log;
  const std::string reference_model = read_text_file(dir / "reference" / "model.pb");
  kill_repeatedly(
      dir / "logs", full.seconds,
      [&](int i) { return args_to(out, cache, i % 2 == 1 && fs::exists(out / "checkpoint.bin")); },
      [&](const std::string& when) {
        expect_no_partial_outputs(out, when);
        expect_no_partial_outputs(cache, when);
      },
      [&](const RunResult& run, int) {
        ASSERT_EQ(run.status, 0) << run.log;
        expect_no_partial_outputs(out, "finished");
        EXPECT_EQ(read_text_file(out / "model.pb"), reference_model) << "a finished run differs from an undisturbed one";
      });
}

TEST_F(Kill9, ExportOnnxAndPb) {
  const fs::path model = small_model_pb();
  const fs::path out = dir / "out";
  fs::create_directories(out);
  auto args_for = [&](int i) {
    return std::vector<std::string>{"export", "--model", model.string(), "--out",
                                    (out / (i % 2 ? "m.pb" : "m.onnx")).string()};
  };
  const RunResult onnx = run_to_end({"export", "--model", model.string(), "--out", (dir / "m.onnx").string()}, dir / "logs" / "ref.log");
  ASSERT_EQ(onnx.status, 0) << onnx.log;
  const RunResult pb = run_to_end({"export", "--model", model.string(), "--out", (dir / "m.pb").string()}, dir / "logs" / "ref2.log");
  ASSERT_EQ(pb.status, 0) << pb.log;
  kill_repeatedly(
      dir / "logs", std::max(onnx.seconds, pb.seconds), args_for,
      [&](const std::string& when) {
        expect_no_partial_outputs(out, when);
        for (const char* name : {"m.onnx", "m.pb"}) {
          if (fs::exists(out / name)) {
            EXPECT_EQ(read_text_file(out / name), read_text_file(dir / name)) << when << ": " << name << " is not whole";
          }
        }
      },
      [&](const RunResult& run, int i) {
        ASSERT_EQ(run.status, 0) << run.log;
        const char* name = i % 2 ? "m.pb" : "m.onnx";
        EXPECT_EQ(read_text_file(out / name), read_text_file(dir / name));
      });
}

}  // namespace
}  // namespace blastscan
