#include "data/split.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include <re2/re2.h>

#include "base/error.h"
#include "base/rng.h"

namespace blastscan {

namespace {

// RE2 runs in time linear in the name whatever the pattern (std::regex backtracked for ever
// on "(a*)*b" and overflowed its stack on 30,000 nested parentheses); a bound on the length
// keeps the compiled program small too.
constexpr size_t kMaxPatternLength = 1000;

}  // namespace

GroupBy parse_group_by(const std::string& spec) {
  GroupBy g;
  if (spec.empty() || spec == "none") return g;
  if (spec.starts_with("blocks:")) {
    const std::string n = spec.substr(7);
    if (n.empty() || n.size() > 9 || n.find_first_not_of("0123456789") != std::string::npos || std::stol(n) < 1)
      throw InputError("--group-by " + spec + ": block size must be a positive whole number");
    g.kind = GroupBy::Kind::blocks;
    g.block = std::stol(n);
    return g;
  }
  if (spec.starts_with("regex:")) {
    g.kind = GroupBy::Kind::regex;
    g.pattern = spec.substr(6);
    if (g.pattern.size() > kMaxPatternLength)
      throw InputError("--group-by regex: the pattern is " + std::to_string(g.pattern.size()) + " characters, more than " +
                       std::to_string(kMaxPatternLength));
    const RE2 check(g.pattern, RE2::Quiet);
    if (!check.ok())
      throw InputError("--group-by " + spec + ": invalid regular expression (RE2: " + check.error() + ")");
    return g;
  }
  throw InputError("--group-by " + spec + ": expected none, blocks:N or regex:PATTERN");
}

void assign_groups(Dataset& dataset, const GroupBy& group_by) {
  std::optional<RE2> re;
  if (group_by.kind == GroupBy::Kind::regex) re.emplace(group_by.pattern, RE2::Quiet);
  for (auto& s : dataset.samples) {
    const std::string file = s.path.filename().string();
    switch (group_by.kind) {
      case GroupBy::Kind::none: s.group.clear(); break;
      case GroupBy::Kind::blocks: {
        const auto number = image_number(s.path);
        if (!number) throw InputError(s.path.string() + ": no image number in the name to group by blocks");
        // Per class: neighbours in one class are the same field; numbers restart per class.
        s.group = dataset.classes.at(s.label) + "/" + std::to_string(*number / group_by.block);
        break;
      }
      case GroupBy::Kind::regex: {
        re2::StringPiece match[2];
        const int groups = std::min(re->NumberOfCapturingGroups(), 1);
        if (!re->ok() || !re->Match(file, 0, file.size(), RE2::UNANCHORED, match, groups + 1))
          throw InputError(s.path.string() + ": --group-by regex '" + group_by.pattern + "' does not match the name");
        s.group = std::string(match[groups]);
        break;
      }
    }
  }
}

void split_dataset(Dataset& dataset, double validation_fraction, unsigned seed) {
  if (!(validation_fraction > 0 && validation_fraction < 1))
    throw InputError("--val " + std::to_string(validation_fraction) + ": must be between 0 and 1");
  // Groups are whole units; each is stratified by its most common class. Samples without a
  // group form a group of their own (keyed by path, so the order is stable).
  std::map<std::string, std::vector<size_t>> groups;
  for (size_t i = 0; i < dataset.samples.size(); ++i) {
    const auto& s = dataset.samples[i];
    groups[s.group.empty() ? "\x01" + s.path.string() : s.group].push_back(i);
  }
  std::vector<std::vector<const std::vector<size_t>*>> by_class(dataset.classes.size());
  std::vector<size_t> class_size(dataset.classes.size(), 0);
  for (const auto& [key, members] : groups) {
    std::vector<size_t> votes(dataset.classes.size(), 0);
    for (size_t i : members) ++votes[dataset.samples[i].label];
    const size_t stratum = std::max_element(votes.begin(), votes.end()) - votes.begin();
    by_class[stratum].push_back(&members);
    class_size[stratum] += members.size();
  }
  std::mt19937 rng(seed);
  for (size_t c = 0; c < by_class.size(); ++c) {
    auto& class_groups = by_class[c];
    // std::shuffle's draws are implementation-defined; base/rng.h's are the same everywhere, so
    // a seed names the same split on every machine.
    shuffle(class_groups, rng);
    const double target = std::round(validation_fraction * double(class_size[c]));
    size_t validation = 0;
    for (const auto* members : class_groups) {
      const bool closer = std::abs(double(validation + members->size()) - target) < std::abs(double(validation) - target);
      for (size_t i : *members) dataset.samples[i].split = closer ? kValidation : kTrain;
      if (closer) validation += members->size();
    }
    const std::string& name = dataset.classes[c];
    if (class_size[c] == 0) throw InputError("class " + name + ": no images");
    if (validation == 0 || validation == class_size[c])
      throw InputError("class " + name + ": " + std::to_string(class_size[c]) + " images in " +
                       std::to_string(class_groups.size()) +
                       " groups are too few to put some in both train and validation at --val " +
                       std::to_string(validation_fraction));
  }
}

std::string format_split_table(const Dataset& dataset) {
  struct Row {
    std::set<std::string> groups;
    size_t train = 0, validation = 0, total = 0;
  };
  std::vector<Row> rows(dataset.classes.size() + 1);  // last row: all classes
  for (const auto& s : dataset.samples) {
    for (Row* row : {&rows[s.label], &rows.back()}) {
      row->groups.insert(s.group.empty() ? s.path.string() : s.group);
      row->train += s.split == kTrain;
      row->validation += s.split == kValidation;
      ++row->total;
    }
  }
  size_t width = 5;
  for (const auto& c : dataset.classes) width = std::max(width, c.size());
  std::string out;
  char line[256];
  auto add = [&](const std::string& name, const std::string& id, const Row& r) {
    std::snprintf(line, sizeof line, "%-*s %3s %7zu %7zu %10zu %7zu\n", int(width), name.c_str(), id.c_str(),
                  r.groups.size(), r.train, r.validation, r.total);
    out += line;
  };
  std::snprintf(line, sizeof line, "%-*s %3s %7s %7s %10s %7s\n", int(width), "class", "id", "groups", "train",
                "validation", "total");
  out += line;
  for (size_t c = 0; c < dataset.classes.size(); ++c) add(dataset.classes[c], std::to_string(c), rows[c]);
  add("total", "", rows.back());
  return out;
}

}  // namespace blastscan
