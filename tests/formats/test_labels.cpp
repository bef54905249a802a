// labels.txt in the seed's "id:name" form: round trip, and one line for each kind of bad line.
#include <gtest/gtest.h>

#include "base/error.h"
#include "formats/labels.h"

namespace blastscan {
namespace {

std::string error_of(const std::string& text) {
  try {
    parse_labels(text, "labels.txt");
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

TEST(Labels, RoundTripAndBadLines) {
  const std::vector<std::string> classes = {"Benign", "Early", "Pre", "Pro"};
  EXPECT_EQ(parse_labels(format_labels(classes), "labels.txt"), classes);
  EXPECT_EQ(error_of("0:a\nb\n"), "labels.txt:2: expected 'id:name', got 'b'");
  EXPECT_EQ(error_of("x:a\n"), "labels.txt:1: class id 'x' is not a number");
  EXPECT_EQ(error_of("1:a\n"), "labels.txt:1: class id 1, expected 0");
  // Past 2^64 std::stoul threw, and the message was just "stoul".
  EXPECT_EQ(error_of("0:a\n99999999999999999999999:b\n"),
            "labels.txt:2: class id 99999999999999999999999 is too large (ids count up from 0)");
}

}  // namespace
}  // namespace blastscan
