// blastscan prepare DATASET --out DIR: scan, check and hash every image, drop exact duplicates,
// group, split (seeded, stratified), write the manifest and optionally TFRecord shards.
// Output files are each written atomically; a previous run's manifest and shards are removed
// first and the manifest is written last, so a manifest in DIR always describes the shards
// beside it, even after a kill -9.
#include <chrono>
#include <cstdio>

#include "base/safe_text.h"
#include "cli/commands.h"
#include "cli/options.h"
#include "cli/progress_bar.h"
#include "data/manifest.h"
#include "data/prepare.h"
#include "data/split.h"

namespace blastscan::cli {

namespace {

struct PrepareArgs {
  std::string dataset, out, labels, group_by = "none", name;
  double validation = 0.3;
  unsigned seed = 50;
  bool tfrecord = false;
  int shards = 10, threads = 0;
};

void run_prepare(const PrepareArgs& a) {
  const auto start = std::chrono::steady_clock::now();
  Dataset ds = scan_dataset(a.dataset, {.labels_file = a.labels});
  const auto duplicates =
      prepare_dataset(ds, {.group_by = a.group_by, .validation = a.validation, .seed = a.seed}, a.threads,
                      terminal_progress());

  clear_prepared_outputs(a.out);  // every check has passed: from here on the folder is rewritten
  std::vector<fs::path> shards;
  if (a.tfrecord) {
    const std::string name = a.name.empty() ? fs::absolute(a.dataset).lexically_normal().filename().string() : a.name;
    shards = write_tfrecord_shards(ds, a.out, name.empty() ? "dataset" : name, a.shards, a.seed, terminal_progress());
  }
  write_manifest(ds, a.out);

  std::printf("%s", format_split_table(ds).c_str());
  std::printf("%zu exact duplicates dropped, %zu files skipped\n", duplicates.size(), ds.skipped.size() - duplicates.size());
  for (const auto& s : ds.skipped)
    std::printf("  skipped %s: %s\n", printable(s.path.string()).c_str(), printable(s.reason).c_str());
  std::printf("wrote %s/manifest.csv, manifest.json, labels.txt", a.out.c_str());
  if (!shards.empty()) std::printf(" and %zu TFRecord shards", shards.size());
  std::printf(" in %.2f s\n", std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
}

}  // namespace

void add_prepare(CLI::App& app) {
  auto args = std::make_shared<PrepareArgs>();
  auto* cmd = app.add_subcommand("prepare", "check, de-duplicate and split a dataset; write its manifest (and TFRecords)");
  cmd->add_option("dataset", args->dataset, "class folders, or ALL-IDB ImNNN_L images in one folder")->required();
  cmd->add_option("--out,-o", args->out, "output folder")->required();
  add_option(cmd, flags::validation, args->validation);
  add_option(cmd, flags::seed, args->seed);
  add_option(cmd, flags::group_by, args->group_by);
  cmd->add_option("--labels", args->labels, "labels file 'id:name' (default: DATASET/labels.txt if present)");
  cmd->add_flag("--tfrecord", args->tfrecord, "also write TFRecord shards of tf.Examples");
  cmd->add_option("--shards", args->shards, "TFRecord shards per split")->check(CLI::Range(1, 100000))->capture_default_str();
  cmd->add_option("--name", args->name, "shard file name prefix (default: the dataset folder's name)");
  add_option(cmd, flags::threads, args->threads);
  cmd->callback([args] { run_prepare(*args); });
}

}  // namespace blastscan::cli
