// GET /: the web page for choosing or dropping an image and seeing its class, the confidence
// bar of every class and the LOW-confidence warning. Self-contained: works without internet.
#pragma once
#include <string_view>

namespace blastscan {

std::string_view web_page_html();

}  // namespace blastscan
