// Groups and the seeded, stratified train/validation split. Whole groups are assigned, so
// images of one group (neighbouring frames, one patient) never straddle the split.
#pragma once
#include <string>

#include "data/dataset.h"

namespace blastscan {

// --group-by: "none", "blocks:N" (per class, image numbers 0..N-1, N..2N-1, ... form a group;
// see image_number) or "regex:PATTERN" (RE2 syntax, at most 1000 characters: the first capture
// group, or the whole match, searched in the file name; e.g. "regex:^(P\d+)_" for a patient id).
struct GroupBy {
  enum class Kind { none, blocks, regex } kind = Kind::none;
  long block = 0;
  std::string pattern;
};

// Throws InputError for a spec that is none of the above or an invalid regex.
GroupBy parse_group_by(const std::string& spec);

// Sets Sample::group for every sample; throws InputError naming a file the rule cannot group
// (no number, regex does not match).
void assign_groups(Dataset& dataset, const GroupBy& group_by);

// Sets Sample::split. Per class, groups are shuffled with std::mt19937(seed) and taken into
// validation until it holds round(validation_fraction * class size) images (as near as whole
// groups allow). Same samples, groups and seed -> same split. Throws InputError when a class
// cannot have at least one image on each side.
void split_dataset(Dataset& dataset, double validation_fraction, unsigned seed);

// A per-class table of counts (class, id, groups, train, validation, total) with a total row,
// as prepare and augment print it.
std::string format_split_table(const Dataset& dataset);

}  // namespace blastscan
