// Floats in JSON: as_written gives the float's shortest round-trip text (0.003, not
// 0.003000000026077032) and written_float reads it back as the very same float, across the
// whole float range (subnormals, huge values) and on the values blastscan prints most
// (probabilities near 0 and 1).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <cstring>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "base/float_text.h"
#include "base/rng.h"
#include "base/safe_text.h"

namespace blastscan {
namespace {

std::string json_number(float value) { return json_text(nlohmann::json(as_written(value))); }

TEST(FloatText, ConfigValuesAndProbabilitiesPrintAsWritten) {
  EXPECT_EQ(json_text(nlohmann::json(0.003f)), "0.003000000026077032");  // what nlohmann does by itself
  EXPECT_EQ(json_number(0.003f), "0.003");
  EXPECT_EQ(json_number(0.8f), "0.8");
  EXPECT_EQ(json_number(4e-5f), "4e-05");
  EXPECT_EQ(json_number(0.9999f), "0.9999");
  EXPECT_EQ(json_number(1.f), "1.0");
  EXPECT_EQ(json_text(nlohmann::json(as_written(std::vector<float>{0.25f, 0.1f}))), "[0.25,0.1]");
}

// Every float the JSON carries reads back bit for bit, and stands for the float's shortest decimal.
TEST(FloatText, EveryFloatReadsBackAsItself) {
  Rng rng(8);
  std::vector<float> values = {0.f, 1e-45f, 1.1754942e-38f, 3.4028235e38f, 1.f - 1e-7f, 1e-7f, 0.5f, 0.99999994f};
  for (int i = 0; i < 200000; ++i) {  // random bit patterns: every exponent
    const uint32_t bits = uint32_t(rng.uniform_index(uint64_t(1) << 32));
    float f;
    std::memcpy(&f, &bits, sizeof f);
    if (std::isfinite(f)) values.push_back(f);
  }
  for (int i = 0; i < 100000; ++i) values.push_back(rng.uniform());  // probabilities
  for (const float f : values) {
    const std::string text = json_number(f);
    const float back = written_float(nlohmann::json::parse(text).get<double>());
    ASSERT_EQ(std::memcmp(&back, &f, sizeof f), 0) << fmt::format("{} printed as {} read back as {}", f, text, back);
    // nlohmann prints the double by Grisu2, which round-trips but is not always the shortest
    // text (1.7489632000000001e+22): the value is the float's shortest decimal, even so.
    ASSERT_EQ(nlohmann::json::parse(text).get<double>(), std::strtod(fmt::format("{}", f).c_str(), nullptr)) << text;
  }
}

}  // namespace
}  // namespace blastscan
