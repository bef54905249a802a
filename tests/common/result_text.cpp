#include "common/result_text.h"

#include <cctype>
#include <cstdlib>
#include <cstring>
#include <regex>

#include "base/float_text.h"

namespace blastscan::testing {

std::string without_times(const std::string& text) {
  static const std::regex json_time("\"time_ms\": [0-9.e+-]+"), table_time(" +[0-9.]+ ms  "),
      csv_time("(,[01],[01],)[0-9.]+,");
  std::string out = std::regex_replace(text, json_time, "\"time_ms\": T");
  out = std::regex_replace(out, table_time, " T ms  ");
  return std::regex_replace(out, csv_time, "$1T,");
}

// A plain scan, not std::regex: libstdc++'s regex recurses per character and overflows the
// stack on a class activation map's 20,000 numbers.
std::vector<std::string> widened_floats(const std::string& json_text, const std::vector<std::string>& keys) {
  const auto is_number_char = [](char c) { return std::isdigit(static_cast<unsigned char>(c)) || std::strchr(".eE+-", c); };
  std::vector<std::string> widened;
  for (const auto& key : keys) {
    const std::string field = "\"" + key + "\":";
    bool found = false;
    for (size_t at = json_text.find(field); at != std::string::npos; at = json_text.find(field, at + 1)) {
      found = true;
      size_t begin = json_text.find_first_not_of(" \n", at + field.size()), end = begin;
      if (begin == std::string::npos) break;
      if (json_text[begin] == '{' || json_text[begin] == '[')  // a flat object or array
        end = json_text.find(json_text[begin] == '{' ? '}' : ']', begin);
      else
        while (end < json_text.size() && is_number_char(json_text[end])) ++end;
      bool in_string = false;
      for (size_t i = begin; i < end && i < json_text.size(); ++i) {
        if (json_text[i] == '"') in_string = !in_string;  // class names may hold digits
        if (in_string || !is_number_char(json_text[i]) || json_text[i] == 'e' || json_text[i] == 'E') continue;
        size_t j = i;
        while (j < end && is_number_char(json_text[j])) ++j;
        const std::string text = json_text.substr(i, j - i);
        if (std::strtod(text.c_str(), nullptr) != as_written(std::strtof(text.c_str(), nullptr)))
          widened.push_back(key + ": " + text);
        i = j;
      }
    }
    if (!found) widened.push_back("no " + key);
  }
  return widened;
}

}  // namespace blastscan::testing
