// Every `blastscan ...` command line in README.md runs. The README is parsed, not copied, so a
// line added later is covered too: inline code spans and code-block lines that start with
// "blastscan <subcommand>" and give at least one argument (a bare `blastscan info` in prose is
// a mention, not a command line). Continuation lines of a code block join their command.
// Template syntax: [optional] parts are kept (so their flags are exercised), [a | b] and a|b
// pick a, "...", a line-continuing "\\" and a trailing "&" are dropped, and the placeholders
// (DATASET, DIR, RUN, M.pb, IMAGE(S), SLIDES, DATA_DIR, SHARD.json, I/N, N, S, L, ports, URLs)
// become small fixtures: every fifth ALL-IDB2 image (42, spread over the numbering blocks so
// that `--group-by blocks:25` can split them). Commands run in workflow order (prepare,
// augment, train, then what uses the trained model; quantize before the int8 classify; every
// shard of a `--shard I/N` line before merge), and only flags that shorten a run are appended
// (train --epochs 3, 1 when fine-tuning, and the tests' shared feature cache; augment
// --rotations 1; bench --seconds 0.1 --runs 1 --random none). A failure names the README line.
#include <gtest/gtest.h>

#include <csignal>
#include <memory>
#include <regex>
#include <sstream>

#include "base/file_io.h"
#include "cli/train_fixture.h"
#include "common/child_process.h"

namespace blastscan {
namespace {

namespace fs = std::filesystem;

struct ReadmeCommand {
  int line;                       // 1-based line in README.md
  std::string text;               // as written
  std::string command;            // subcommand
  std::vector<std::string> args;  // after the template syntax is resolved, placeholders still in
};

const std::vector<std::string> kOrder = {"prepare",  "augment", "train", "evaluate", "export", "preprocess", "quantize",
                                         "classify", "merge",   "info",  "serve",    "client", "bench"};

// "[--tile 299 | --no-tile] [--format table|json|csv] IMAGE|DIR ..." -> {"--tile", "299", "--format", "table", "IMAGE"}
std::vector<std::string> resolve_template(std::string text) {
  for (size_t at; (at = text.find("\\|")) != std::string::npos;) text.replace(at, 2, "|");
  text = std::regex_replace(text, std::regex(R"(\s+\|\s+[^\]]*\])"), "]");  // [a | b]: the first alternative
  for (char& c : text)
    if (c == '[' || c == ']') c = ' ';
  std::vector<std::string> args;
  std::istringstream words(text);
  for (std::string w; words >> w;) {
    if (w == "&") break;  // the shell's background: the command ends here
    if (w == "..." || w == "\\") continue;
    if (!w.starts_with("http") && w.find('|') != std::string::npos) w = w.substr(0, w.find('|'));
    args.push_back(w);
  }
  return args;
}

TEST(Readme, TemplateSyntaxResolvesToTheFirstChoiceOfEveryPart) {
  EXPECT_EQ(resolve_template("blastscan classify [--tile 299 | --no-tile] [--format table\\|json] IMAGE|DIR ... \\"),
            (std::vector<std::string>{"blastscan", "classify", "--tile", "299", "--format", "table", "IMAGE"}));
  EXPECT_EQ(resolve_template("blastscan serve --port 8081 & sleep 1"),
            (std::vector<std::string>{"blastscan", "serve", "--port", "8081"}));
  EXPECT_EQ(resolve_template("blastscan client --url http://a|b"),
            (std::vector<std::string>{"blastscan", "client", "--url", "http://a|b"}));
}

std::vector<ReadmeCommand> readme_commands() {
  std::istringstream in(read_text_file(testing::source_dir() / "README.md"));
  std::vector<ReadmeCommand> found;
  const std::regex span("`(blastscan [^`]+)`");
  bool in_block = false, continuing = false;
  int number = 0;
  const auto add = [&](int line, const std::string& text) {
    std::vector<std::string> words = resolve_template(text);
    if (words.size() < 3 || std::find(kOrder.begin(), kOrder.end(), words[1]) == kOrder.end()) return false;
    found.push_back({line, text, words[1], {words.begin() + 2, words.end()}});
    return true;
  };
  for (std::string line; std::getline(in, line);) {
    ++number;
    if (line.starts_with("```")) {
      in_block = !in_block;
      continuing = false;
      continue;
    }
    if (in_block) {
      const std::string command = line.substr(0, line.find('#'));  // a shell comment ends it
      if (continuing && command.starts_with(" ") && command.find_first_not_of(' ') != std::string::npos) {
        found.back().text += " " + command.substr(command.find_first_not_of(' '));
        for (auto& w : resolve_template(command)) found.back().args.push_back(w);
        continue;
      }
      continuing = command.starts_with("blastscan ") && add(number, command);
      continue;
    }
    for (std::sregex_iterator it(line.begin(), line.end(), span), end; it != end; ++it) add(number, (*it)[1]);
  }
  return found;
}

// Every fifth ALL-IDB2 image: both classes, several numbering blocks of 25 each.
fs::path spread_dataset(const fs::path& dir) {
  fs::create_directories(dir);
  for (const auto& e : fs::directory_iterator(testing::all_idb2()))
    if (std::stoi(e.path().stem().string().substr(2, 3)) % 5 == 1) fs::copy_file(e.path(), dir / e.path().filename());
  return dir;
}

// The fixtures the placeholders stand for, made as the workflow goes.
struct Workspace {
  fs::path dir = testing::scratch_dir();
  fs::path dataset = spread_dataset(dir / "dataset");
  fs::path prepared = dir / "prepared";  // prepare's first --out
  fs::path run = dir / "run";            // train's first --out
  fs::path image = testing::all_idb2() / "Im001_1.jpg";
  fs::path int8_model = dir / "model.int8.pb";  // quantize's --out, then what the int8 lines read
  fs::path shards = dir / "parts";              // every shard of a --shard line, for merge
  std::string url;                              // of the first server started
  int outs = 0;

  fs::path fresh(const std::string& name) { return dir / ("out" + std::to_string(++outs)) / name; }

  // The arguments with fixtures for placeholders, for one command; `makes_fixture` is set when
  // the command writes what later commands read (the prepared dataset, the trained model).
  std::vector<std::string> substitute(const ReadmeCommand& c, bool& makes_fixture) {
    makes_fixture = false;
    std::vector<std::string> args;
    for (size_t i = 0; i < c.args.size(); ++i) {
      const std::string& a = c.args[i];
      const std::string flag = i > 0 ? c.args[i - 1] : "";
      if (a.ends_with(".int8.pb")) {
        args.push_back(int8_model.string());
      } else if ((a.find("shard") != std::string::npos || a.find("SHARD") != std::string::npos) && a.ends_with(".json")) {
        // classify --shard's --out gets a shard number below; merge reads them all
        args.push_back((shards / (c.command == "merge" ? "shard-*.json" : "shard-I.json")).string());
      } else if (flag == "--shard") {
        args.push_back(a == "I/N" ? "0/2" : a);  // I/N: two parts, both run below
      } else if (flag == "--calibrate" || a == "DATA_DIR" || a.starts_with("SLIDES") || a == "all_idb2_lowres") {
        args.push_back(dataset.string());  // folders of images
      } else if (a.starts_with("IMAGES") || a == "IMAGE") {
        args.push_back(image.string());
      } else if (flag == "--out" || flag == "-o" || flag == "--heatmap" || flag == "--explain") {
        if (c.command == "prepare" && !fs::exists(prepared)) {
          args.push_back(prepared.string());
          makes_fixture = true;
        } else if (c.command == "train" && !fs::exists(run)) {
          args.push_back(run.string());
          makes_fixture = true;
        } else {
          args.push_back(fresh(fs::path(a).filename().string()).string());
        }
      } else if (flag == "--backbone") {
        args.push_back(testing::backbone_pb().string());
      } else if (flag == "--port") {
        args.push_back("0");
      } else if (flag == "--url") {
        args.push_back(url);
      } else if (flag == "--stride" && a == "S") {
        args.push_back("150");
      } else if (flag == "--level" && a == "L") {
        args.push_back("0");
      } else if (a == "DATASET") {
        args.push_back(dataset.string());
      } else if (a == "DIR") {  // data to read: the prepared dataset
        args.push_back(prepared.string());
      } else if (a == "N") {
        args.push_back("1");
      } else if (a.ends_with(".pb")) {  // M.pb, RUN/model.pb: the trained model
        args.push_back((run / "model.pb").string());
      } else {
        args.push_back(a);
      }
    }
    const bool fine_tuning = std::find(args.begin(), args.end(), "--fine-tune-from") != args.end();
    if (c.command == "train")
      for (std::string s : {std::string("--epochs"), std::string(fine_tuning ? "1" : "3"), std::string("--cache"),
                            testing::shared_test_cache().string()})
        args.push_back(s);
    if (c.command == "augment")
      for (std::string s : {"--rotations", "1"}) args.push_back(s);
    if (c.command == "bench")
      for (std::string s : {"--seconds", "0.1", "--runs", "1", "--random", "none"}) args.push_back(s);
    return args;
  }
};

std::string joined(const std::vector<std::string>& words) {
  std::string s;
  for (const auto& w : words) s += (s.empty() ? "" : " ") + w;
  return s;
}

TEST(Readme, EveryCommandLineRuns) {
  auto commands = readme_commands();
  ASSERT_GE(commands.size(), 30u) << "README.md has fewer blastscan command lines than expected: is the parser lost?";
  std::stable_sort(commands.begin(), commands.end(), [](const ReadmeCommand& a, const ReadmeCommand& b) {
    return std::find(kOrder.begin(), kOrder.end(), a.command) < std::find(kOrder.begin(), kOrder.end(), b.command);
  });
  Workspace w;
  // The default backbone is $BLASTSCAN_SHARED's, as for a user who set it.
  const std::string binary = "BLASTSCAN_SHARED=" + testing::shared_dir().string() + " timeout 600 " +
                             testing::blastscan_binary().string();
  std::vector<std::unique_ptr<testing::ChildProcess>> servers;
  for (const auto& c : commands) {
    bool makes_fixture = false;
    const std::vector<std::string> args = w.substitute(c, makes_fixture);
    const std::string where = "README.md:" + std::to_string(c.line) + ": `" + c.text + "`\n  ran: blastscan " +
                              c.command + " " + joined(args) + "\n";
    if (c.command == "serve") {  // a long-running server: it must come up, load the model, and stop cleanly
      std::vector<std::string> argv = {testing::blastscan_binary().string(), "serve"};
      argv.insert(argv.end(), args.begin(), args.end());
      servers.push_back(
          std::make_unique<testing::ChildProcess>(argv, w.dir / ("serve" + std::to_string(servers.size()) + ".log")));
      const auto port = servers.back()->wait_for_log(R"(listening on http://127\.0\.0\.1:([0-9]+)/)",
                                                     std::chrono::seconds(120));
      ASSERT_TRUE(port) << where << servers.back()->log_text();
      ASSERT_TRUE(servers.back()->wait_for_log("model ready", std::chrono::seconds(120)))
          << where << servers.back()->log_text();
      if (w.url.empty()) w.url = "http://127.0.0.1:" + *port;
      continue;
    }
    // A --shard I/N line stands for its N processes: run every part, as the README's comment says.
    const auto shard = std::find(args.begin(), args.end(), "--shard");
    const int parts =
        shard != args.end() && shard + 1 != args.end() ? std::stoi(shard[1].substr(shard[1].find('/') + 1)) : 1;
    for (int part = 0; part < parts; ++part) {
      std::vector<std::string> run_args = args;
      for (auto& a : run_args) {
        if (parts > 1 && a == shard[1]) a = std::to_string(part) + "/" + std::to_string(parts);
        if (const size_t at = a.find("shard-I.json"); at != std::string::npos)
          a.replace(at, 12, "shard-" + std::to_string(part) + ".json");
      }
      std::string out;
      const int status = testing::run_command(binary + " " + c.command + " " + joined(run_args), out);
      if (makes_fixture) {
        ASSERT_EQ(status, 0) << where << "(later commands read what this one writes)\n" << out;
      }
      EXPECT_EQ(status, 0) << where << "  part " << part << " of " << parts << "\n" << out;
    }
  }
  for (auto& server : servers) EXPECT_EQ(server->stop(SIGINT), 0) << server->log_text();
}

}  // namespace
}  // namespace blastscan
