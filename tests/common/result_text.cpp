#include "common/result_text.h"

#include <regex>

namespace blastscan::testing {

std::string without_times(const std::string& text) {
  static const std::regex json_time("\"time_ms\": [0-9.e+-]+"), table_time(" +[0-9.]+ ms  "),
      csv_time("(,[01],[01],)[0-9.]+,");
  std::string out = std::regex_replace(text, json_time, "\"time_ms\": T");
  out = std::regex_replace(out, table_time, " T ms  ");
  return std::regex_replace(out, csv_time, "$1T,");
}

}  // namespace blastscan::testing
