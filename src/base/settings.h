// One declaration per setting. A SettingSpec names a setting once: its key (the JSON config key
// and model-card field), its flag (by default "--" + key with dashes), its help text and the
// values it accepts. A SettingTable<T> binds specs to the fields of a settings struct T (e.g.
// TrainConfig); the JSON writer, the JSON reader with its checks, and the CLI's flags
// (cli/options.h) are all generated from the table, so a new setting is one row.
// Defaults are the struct's member initialisers, written once there.
#pragma once
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <type_traits>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/error.h"

namespace blastscan {

struct SettingSpec {
  std::string key;   // "learning_rate": config key, model-card field
  std::string help;  // one line for --help
  double min = -std::numeric_limits<double>::infinity();  // numbers: accepted range
  double max = std::numeric_limits<double>::infinity();
  std::vector<std::string> choices = {};  // strings: accepted values (empty: any)
  std::string flag = {};                  // CLI11 names, e.g. "--val" or "--threads,-t"; empty: from key

  std::string flag_names() const {
    if (!flag.empty()) return flag;
    std::string f = "--" + key;
    for (char& c : f) c = c == '_' ? '-' : c;
    return f;
  }
};

template <typename T>
struct Setting {
  // No float: a float setting would be written as 0.003000000026077032; settings are doubles,
  // printed in their shortest round-trip form, and narrowed where float arithmetic uses them.
  using Field = std::variant<double T::*, int T::*, uint64_t T::*, std::string T::*, bool T::*>;
  SettingSpec spec;
  Field field;
};

template <typename T>
using SettingTable = std::vector<Setting<T>>;

// Checks one value against its spec; throws InputError "WHERE: KEY: ..." naming the problem.
template <typename V>
void check_setting(const SettingSpec& spec, const V& value, const std::string& where) {
  const std::string at = where + ": " + spec.key + ": ";
  if constexpr (std::is_same_v<V, std::string>) {
    if (spec.choices.empty()) return;
    std::string expected;
    for (const auto& c : spec.choices) {
      if (c == value) return;
      expected += (expected.empty() ? "" : ", ") + (c.empty() ? std::string("\"\"") : c);
    }
    throw InputError(at + "'" + value + "', expected one of " + expected);
  } else if constexpr (!std::is_same_v<V, bool>) {
    const double v = static_cast<double>(value);
    if (!(v >= spec.min && v <= spec.max))
      throw InputError(at + nlohmann::json(value).dump() + " is out of range [" + nlohmann::json(spec.min).dump() +
                       ", " + nlohmann::json(spec.max).dump() + "]");
  }
}

// The settings of `values` as a JSON object, one key per row, in table order.
template <typename T>
nlohmann::json settings_to_json(const SettingTable<T>& table, const T& values) {
  nlohmann::json json = nlohmann::json::object();
  for (const auto& s : table) std::visit([&](auto field) { json[s.spec.key] = values.*field; }, s.field);
  return json;
}

// Every row's check on `values` (e.g. after flags were applied).
template <typename T>
void check_settings(const SettingTable<T>& table, const T& values, const std::string& where) {
  for (const auto& s : table) std::visit([&](auto field) { check_setting(s.spec, values.*field, where); }, s.field);
}

// Reads `json` (an object) over `values`: keys it lacks keep their values. Throws InputError
// naming `where` and the key for an unknown key, a wrong type or a value out of range.
template <typename T>
void settings_from_json(const SettingTable<T>& table, const nlohmann::json& json, T& values, const std::string& where) {
  if (!json.is_object()) throw InputError(where + ": expected a JSON object of settings");
  for (const auto& [key, value] : json.items()) {
    bool known = false;
    for (const auto& s : table) known = known || s.spec.key == key;
    if (!known) throw InputError(where + ": unknown key '" + key + "'");
  }
  for (const auto& s : table) {
    const auto it = json.find(s.spec.key);
    if (it == json.end()) continue;
    const std::string at = where + ": " + s.spec.key;
    std::visit(
        [&](auto field) {
          using V = std::remove_reference_t<decltype(values.*field)>;
          V v{};
          if constexpr (std::is_same_v<V, std::string>) {
            if (!it->is_string()) throw InputError(at + ": expected a string");
            v = it->template get<std::string>();
          } else if constexpr (std::is_same_v<V, bool>) {
            if (!it->is_boolean()) throw InputError(at + ": expected true or false");
            v = it->template get<bool>();
          } else {
            if (!it->is_number()) throw InputError(at + ": expected a number");
            const double d = it->template get<double>();
            if (std::is_integral_v<V> && d != std::floor(d))
              throw InputError(at + ": expected a whole number, got " + it->dump());
            check_setting(s.spec, d, where);
            v = static_cast<V>(d);
          }
          check_setting(s.spec, v, where);
          values.*field = v;
        },
        s.field);
  }
}

// Copies one row's field from `from` to `to` (a flag given on the command line wins).
template <typename T>
void copy_setting(const Setting<T>& setting, const T& from, T& to) {
  std::visit([&](auto field) { to.*field = from.*field; }, setting.field);
}

}  // namespace blastscan
