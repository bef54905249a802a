// Label files in the seed's form: one "id:name" per line ("0:Benign").
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace blastscan {

std::vector<std::string> parse_labels(std::string_view text, const std::string& name);
std::string format_labels(const std::vector<std::string>& classes);

}  // namespace blastscan
