// Putting text and bytes into HTML and SVG safely: escaping, and data: URIs (base64) so a
// report is one self-contained file with its images inline.
#pragma once
#include <string>
#include <string_view>

namespace blastscan {

std::string escape_html(std::string_view text);  // & < > " '
std::string base64_encode(std::string_view bytes);
std::string data_uri(std::string_view mime_type, std::string_view bytes);  // "data:image/jpeg;base64,..."
std::string format_number(double value, int decimals);  // "n/a" for NaN

}  // namespace blastscan
