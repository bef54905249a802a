#include "base/safe_text.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>

namespace blastscan {

namespace {

// Length of the well-formed UTF-8 sequence starting at text[i] (RFC 3629, table 3-7 of the
// Unicode standard), or 0 if the bytes there are not one.
size_t utf8_sequence_length(std::string_view text, size_t i) {
  const auto byte = [&](size_t k) { return i + k < text.size() ? uint8_t(text[i + k]) : uint8_t(0); };
  const uint8_t b0 = byte(0);
  const auto continuation = [&](size_t k, uint8_t lo = 0x80, uint8_t hi = 0xBF) {
    const uint8_t b = byte(k);
    return i + k < text.size() && b >= lo && b <= hi;
  };
  if (b0 < 0x80) return 1;
  if (b0 >= 0xC2 && b0 <= 0xDF) return continuation(1) ? 2 : 0;
  if (b0 >= 0xE0 && b0 <= 0xEF) {
    const uint8_t lo = b0 == 0xE0 ? 0xA0 : 0x80, hi = b0 == 0xED ? 0x9F : 0xBF;  // no overlongs, no surrogates
    return continuation(1, lo, hi) && continuation(2) ? 3 : 0;
  }
  if (b0 >= 0xF0 && b0 <= 0xF4) {
    const uint8_t lo = b0 == 0xF0 ? 0x90 : 0x80, hi = b0 == 0xF4 ? 0x8F : 0xBF;  // U+10000..U+10FFFF
    return continuation(1, lo, hi) && continuation(2) && continuation(3) ? 4 : 0;
  }
  return 0;
}

template <class Json>
std::string dump_replacing(const Json& value, int indent) {
  return value.dump(indent, ' ', false, Json::error_handler_t::replace);
}

}  // namespace

std::string json_text(const nlohmann::json& value, int indent) { return dump_replacing(value, indent); }
std::string json_text(const nlohmann::ordered_json& value, int indent) { return dump_replacing(value, indent); }

std::string printable(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    const uint8_t c = uint8_t(text[i]);
    const size_t n = utf8_sequence_length(text, i);
    const bool c1_control = n == 2 && c == 0xC2 && uint8_t(text[i + 1]) < 0xA0;  // U+0080..U+009F: CSI is 0x9B
    if (n > 1 && !c1_control) {
      out.append(text.substr(i, n));
      i += n;
      continue;
    }
    if (c == '\n') out += "\\n";
    else if (c == '\r') out += "\\r";
    else if (c == '\t') out += "\\t";
    else if (c == '\\') out += "\\\\";
    else if (n == 1 && c >= 0x20 && c != 0x7F) out += char(c);
    else {  // C0 and C1 controls (NUL, ESC, CSI...), DEL, and bytes that are not UTF-8
      for (size_t k = 0; k < std::max<size_t>(n, 1); ++k) {
        char hex[5];
        std::snprintf(hex, sizeof hex, "\\x%02x", uint8_t(text[i + k]));
        out += hex;
      }
      i += std::max<size_t>(n, 1);
      continue;
    }
    ++i;
  }
  return out;
}

std::string quoted_text(std::string_view text) {
  std::string out = "\"";
  for (const char c : printable(text)) out += c == '"' ? std::string("\\\"") : std::string(1, c);
  return out + "\"";
}

bool is_valid_utf8(std::string_view text) {
  for (size_t i = 0; i < text.size();) {
    const size_t n = utf8_sequence_length(text, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

}  // namespace blastscan
