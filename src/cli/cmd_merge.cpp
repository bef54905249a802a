// blastscan merge SHARD_FILE ...: joins the shard files of `classify --shard I/N --out FILE`
// into exactly the table, JSON or CSV (and seed summary) that one classify over the whole list
// would have printed. Refuses a missing, duplicated or foreign shard, naming it.
// Exit status as classify's: 0, or 2 when some images could not be read, 1 when none could.
#include "cli/commands.h"
#include "cli/options.h"
#include "cli/output.h"
#include "predict/shard.h"

namespace blastscan::cli {

void add_merge(CLI::App& app) {
  struct Options {
    std::string format = "table", out;
    std::vector<std::string> shards;
  };
  auto opts = std::make_shared<Options>();
  auto* cmd = app.add_subcommand("merge", "join the shard files of classify --shard into one result");
  add_option(cmd, flags::format, opts->format);
  add_option(cmd, flags::out_file, opts->out);
  cmd->add_option("shards", opts->shards, "shard files (all N of one job, any order)")->required();
  cmd->callback([opts] {
    const MergedShards merged = merge_shards({opts->shards.begin(), opts->shards.end()});
    Model model;
    model.classes = merged.header.classes;
    print_results(merged.results, model, opts->format, opts->out);
  });
}

}  // namespace blastscan::cli
