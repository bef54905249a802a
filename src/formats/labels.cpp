#include "formats/labels.h"

#include <sstream>

#include "base/error.h"

namespace blastscan {

std::vector<std::string> parse_labels(std::string_view text, const std::string& name) {
  std::vector<std::string> classes;
  std::istringstream in{std::string(text)};
  std::string line;
  int line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    const auto colon = line.find(':');
    const std::string where = name + ":" + std::to_string(line_no) + ": ";
    if (colon == std::string::npos || colon == 0 || colon + 1 == line.size())
      throw InputError(where + "expected 'id:name', got '" + line + "'");
    const std::string id_text = line.substr(0, colon);
    if (id_text.find_first_not_of("0123456789") != std::string::npos)
      throw InputError(where + "class id '" + id_text + "' is not a number");
    if (id_text.size() > 6)  // std::stoul would throw just "stoul" past 2^64
      throw InputError(where + "class id " + id_text + " is too large (ids count up from 0)");
    const size_t id = std::stoul(id_text);
    if (id != classes.size())
      throw InputError(where + "class id " + id_text + ", expected " + std::to_string(classes.size()));
    classes.push_back(line.substr(colon + 1));
  }
  if (classes.empty()) throw InputError(name + ": no classes");
  return classes;
}

std::string format_labels(const std::vector<std::string>& classes) {
  std::string out;
  for (size_t i = 0; i < classes.size(); ++i) out += std::to_string(i) + ":" + classes[i] + "\n";
  return out;
}

}  // namespace blastscan
