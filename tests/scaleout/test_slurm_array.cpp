// A real Slurm: a one-node cluster on 127.0.0.1 (tests/scaleout/slurm_cluster.sh) runs
// scripts/slurm/classify_array.sbatch as a job array over a few dozen images and
// scripts/slurm/merge.sbatch as a dependent job; the merged result must be what one
// `blastscan classify` prints. Then one array task is cancelled: the merge is never
// started, merging by hand names the missing shard, and resubmitting only that index
// completes the merge. Every wait is bounded; the daemons are stopped by their pid files.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <regex>
#include <thread>

#include "base/file_io.h"
#include "cli/model_fixture.h"
#include "common/result_text.h"

namespace blastscan {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

std::string shell_word(const fs::path& p) { return "'" + p.string() + "'"; }

// Runs a shell command; fails the test (with its output) unless it exits 0. Returns stdout+stderr.
std::string must(const std::string& command) {
  std::string out;
  const int status = testing::run_command(command, out);
  EXPECT_EQ(status, 0) << command << "\n" << out;
  return out;
}

class SlurmCluster {
 public:
  // In a fresh folder under /tmp: the munge socket's path must fit in 108 bytes.
  SlurmCluster() : script_(testing::source_dir() / "tests/scaleout/slurm_cluster.sh") {
    char name[] = "/tmp/blastscan-slurm-XXXXXX";
    dir_ = mkdtemp(name);
    std::string out;
    started_ = testing::run_command("timeout 60 bash " + shell_word(script_) + " start " + shell_word(dir_), out) == 0;
    EXPECT_TRUE(started_) << out;
    setenv("SLURM_CONF", (dir_ / "slurm.conf").c_str(), 1);  // every client call below
  }
  ~SlurmCluster() {
    std::string out;
    EXPECT_EQ(testing::run_command("timeout 30 bash " + shell_word(script_) + " stop " + shell_word(dir_), out), 0) << out;
    for (const char* daemon : {"munged", "slurmctld", "slurmd"})
      EXPECT_FALSE(fs::exists(dir_ / (std::string(daemon) + ".pid"))) << daemon << " still has a pid file";
    if (::testing::Test::HasFailure())
      std::fprintf(stderr, "cluster logs kept in %s\n", dir_.c_str());
    else
      fs::remove_all(dir_);
  }
  bool started() const { return started_; }

  // sbatch ... ; returns the job id.
  std::string submit(const std::string& args) {
    const std::string out = must("timeout 30 sbatch --parsable --chdir " + shell_word(dir_) + " --output " +
                                 shell_word(dir_ / "logs" / "%x-%A_%a.out") + " " + args);
    return out.substr(0, out.find_first_of(";\n"));
  }
  // Polls squeue until none of the jobs is queued or running (a hang guard, not a timing check).
  void wait_until_gone(const std::string& jobs, std::chrono::seconds limit = 120s) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    std::string out;
    while (std::chrono::steady_clock::now() < deadline) {
      testing::run_command("squeue -h -t PD,R,CG,CF -j " + jobs + " -o '%i %T %r'", out);
      if (out.find_first_not_of(" \n") == std::string::npos) return;
      std::this_thread::sleep_for(100ms);
    }
    ADD_FAILURE() << "jobs " << jobs << " still queued after " << limit.count() << " s:\n" << out;
  }
  // JobState of every task of a job (array tasks in order of the listing), from scontrol:
  // accounting is off, so sacct knows nothing.
  std::vector<std::string> states(const std::string& job) {
    const std::string out = must("scontrol show job " + job);
    std::vector<std::string> found;
    static const std::regex state("JobState=([A-Z_]+)");
    for (auto it = std::sregex_iterator(out.begin(), out.end(), state); it != std::sregex_iterator(); ++it)
      found.push_back((*it)[1]);
    return found;
  }
  std::string show(const std::string& job) { return must("scontrol show job " + job); }
  // Polls until the job's scontrol record mentions `text` (bounded); returns whether it did.
  bool wait_for_record(const std::string& job, const std::string& text, std::chrono::seconds limit = 60s) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
      if (show(job).find(text) != std::string::npos) return true;
      std::this_thread::sleep_for(100ms);
    }
    return false;
  }

 private:
  fs::path dir_, script_;
  bool started_ = false;
};

// A few dozen ALL-IDB2 crops (ALL and healthy), as paths on the command line.
std::string images() {
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(testing::shared_dir() / "data" / "all_idb2_lowres")) files.push_back(e.path());
  std::sort(files.begin(), files.end());
  std::string list;
  for (size_t i = 0; i < 36; ++i) list += " " + shell_word(files.at(i * files.size() / 36));
  return list;
}

struct ArrayJob {
  fs::path out;
  std::string model, args;  // the sbatch script's arguments after the script
};

ArrayJob array_job(const fs::path& dir, int shards) {
  const std::string model = testing::small_model_pb().string();
  return {dir / "results", model, shell_word(model) + " " + shell_word(dir / "results") + " " + std::to_string(shards) + images()};
}

std::string one_run(const ArrayJob& job) {
  return must(testing::blastscan_binary().string() + " classify --format json --model " + shell_word(job.model) + images() +
              " 2>/dev/null");
}

std::string script(const char* name) { return shell_word(testing::source_dir() / "scripts/slurm" / name); }

struct Submitted {
  std::string array, merge;
};

// The README's two commands: the classify array (with extra sbatch flags) and the merge after it.
Submitted submit_array_and_merge(SlurmCluster& cluster, const ArrayJob& job, const std::string& array_flags) {
  Submitted s;
  s.array = cluster.submit(array_flags + " " + script("classify_array.sbatch") + " " + job.args);
  s.merge = cluster.submit("--dependency=afterok:" + s.array + " " + script("merge.sbatch") + " " + shell_word(job.out));
  return s;
}

class Slurm : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "slurmd needs root";
    setenv("BLASTSCAN", testing::blastscan_binary().c_str(), 1);  // the scripts' blastscan
  }
};

TEST_F(Slurm, ArrayAndDependentMergeGiveWhatOneRunGives) {
  const fs::path dir = testing::scratch_dir();
  SlurmCluster cluster;
  ASSERT_TRUE(cluster.started());
  const ArrayJob job = array_job(dir, 4);
  const auto [array, merge] = submit_array_and_merge(cluster, job, "--array=0-3");
  cluster.wait_until_gone(array + "," + merge);
  EXPECT_EQ(cluster.states(array), std::vector<std::string>(4, "COMPLETED")) << cluster.show(array);
  EXPECT_EQ(cluster.states(merge), std::vector<std::string>{"COMPLETED"}) << cluster.show(merge);
  for (int i = 0; i < 4; ++i) EXPECT_TRUE(fs::exists(job.out / ("shard-" + std::to_string(i) + ".json"))) << i;
  ASSERT_TRUE(fs::exists(job.out / "results.json"));
  const std::string merged = read_text_file(job.out / "results.json"), expected = one_run(job);
  EXPECT_EQ(testing::without_times(merged), testing::without_times(expected));
  EXPECT_NE(expected.find("\"classified\": 36"), std::string::npos) << expected.substr(expected.size() - 300);
  // --cpus-per-task of the script is what each task was given (and passed on as --threads).
  EXPECT_NE(cluster.show(array).find("NumCPUs=2"), std::string::npos) << cluster.show(array);
}

TEST_F(Slurm, ACancelledTaskIsRedoneByResubmittingItsIndex) {
  const fs::path dir = testing::scratch_dir();
  SlurmCluster cluster;
  ASSERT_TRUE(cluster.started());
  const ArrayJob job = array_job(dir, 4);
  // Held, so that task 2 is cancelled before it can run, whatever the machine's speed.
  const auto [array, merge] = submit_array_and_merge(cluster, job, "--hold --array=0-3");
  must("scancel " + array + "_2");
  must("scontrol release " + array);
  cluster.wait_until_gone(array);
  // A pending index that is cancelled leaves the array without a record of its own.
  EXPECT_EQ(cluster.states(array), std::vector<std::string>(3, "COMPLETED")) << cluster.show(array);
  EXPECT_EQ(cluster.show(array).find("ArrayTaskId=2"), std::string::npos) << cluster.show(array);
  EXPECT_FALSE(fs::exists(job.out / "shard-2.json"));
  // The merge waits for a dependency that can no longer be met, and has written nothing.
  EXPECT_TRUE(cluster.wait_for_record(merge, "Reason=DependencyNeverSatisfied")) << cluster.show(merge);
  EXPECT_FALSE(fs::exists(job.out / "results.json"));
  std::string out;
  EXPECT_EQ(testing::run_command(testing::blastscan_binary().string() + " merge " + shell_word(job.out) + "/shard-*.json", out), 1);
  EXPECT_NE(out.find("shard 2 of 4 missing (resubmit: sbatch --array=2"), std::string::npos) << out;
  must("scancel " + merge);

  const auto [again, merge_again] = submit_array_and_merge(cluster, job, "--array=2");
  cluster.wait_until_gone(again + "," + merge_again);
  EXPECT_EQ(cluster.states(again), std::vector<std::string>{"COMPLETED"}) << cluster.show(again);
  EXPECT_EQ(cluster.states(merge_again), std::vector<std::string>{"COMPLETED"}) << cluster.show(merge_again);
  ASSERT_TRUE(fs::exists(job.out / "results.json"));
  EXPECT_EQ(testing::without_times(read_text_file(job.out / "results.json")), testing::without_times(one_run(job)));
}

}  // namespace
}  // namespace blastscan
