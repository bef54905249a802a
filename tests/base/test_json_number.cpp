// Numbers from JSON files are range-checked before they are converted: a plain cast of 1e77 to
// int is undefined behaviour (fuzz_text_formats found it in a manifest), so each is an error.
#include <gtest/gtest.h>

#include "base/json_number.h"

namespace blastscan {
namespace {

using nlohmann::json;

TEST(JsonNumber, ValuesInRangeConvert) {
  EXPECT_EQ(json_number<int>(json(-7)), -7);
  EXPECT_EQ(json_number<int>(json(3.0)), 3);  // a whole number written as a float
  EXPECT_EQ(json_number<int>(json(2147483647)), 2147483647);
  EXPECT_EQ(json_number<size_t>(json(uint64_t(1) << 63)), size_t(1) << 63);
  EXPECT_EQ(json_number<float>(json(0.25)), 0.25f);
  EXPECT_EQ(json_number<double>(json(1e300)), 1e300);
}

TEST(JsonNumber, ValuesOutOfRangeOrOfAnotherKindAreErrors) {
  for (const json& bad : {json(8.88889e76), json(2147483648LL), json(-2147483649LL), json(1.5), json("3"), json(true),
                          json(nullptr), json::parse("1e400", nullptr, false)})
    EXPECT_THROW(json_number<int>(bad), json::exception) << bad.dump();
  EXPECT_THROW(json_number<size_t>(json(-1)), json::exception);
  EXPECT_THROW(json_number<float>(json(1e300)), json::exception);
  try {
    json_number<int>(json(8.88889e76));
  } catch (const json::exception& e) {
    EXPECT_NE(std::string(e.what()).find("number 8.88889e+76 is not an integer in range"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace blastscan
