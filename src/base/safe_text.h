// Text from outside (paths, file names, class names, HTTP request lines) is bytes, not UTF-8,
// and may hold control characters. Two ways out that survive any bytes:
//   - json_text: nlohmann's dump throws on invalid UTF-8; every JSON blastscan writes goes
//     through this one helper, which writes U+FFFD for each invalid byte instead;
//   - printable: for terminals and log lines, where a raw CR/LF forges a line, an ANSI escape
//     repaints the screen and a NUL truncates: control bytes and invalid UTF-8 become \n, \r,
//     \t, \\ or \xNN; valid multi-byte UTF-8 (e.g. "Präparat") is kept as it is.
#pragma once
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace blastscan {

// JSON text of `value` (indent < 0: one line), never throwing on invalid UTF-8.
std::string json_text(const nlohmann::json& value, int indent = -1);
std::string json_text(const nlohmann::ordered_json& value, int indent = -1);

// `text` with control bytes and invalid UTF-8 escaped, safe to print on one line.
std::string printable(std::string_view text);

// printable(text) in double quotes, with the quotes inside escaped too: a log field that a
// reader can split on quotes, as nginx writes "$request".
std::string quoted_text(std::string_view text);

// True if `text` is well-formed UTF-8 (no overlong forms, surrogates or code points past U+10FFFF).
bool is_valid_utf8(std::string_view text);

}  // namespace blastscan
