// json_text never throws on bytes that are not UTF-8 (nlohmann's default dump does), and
// printable leaves nothing a terminal or a log reader would act on.
#include <gtest/gtest.h>

#include "base/safe_text.h"

namespace blastscan {
namespace {

TEST(JsonText, InvalidUtf8IsReplacedNotThrown) {
  const nlohmann::json value = {{"path", std::string("/data/\xff\xfe.jpg")}, {"ok", "Präparat"}};
  EXPECT_THROW((void)value.dump(), nlohmann::json::type_error);  // what the default does
  const std::string text = json_text(value);
  EXPECT_EQ(nlohmann::json::parse(text)["path"], "/data/\xEF\xBF\xBD\xEF\xBF\xBD.jpg");  // two U+FFFD
  EXPECT_EQ(nlohmann::json::parse(text)["ok"], "Präparat");
  const nlohmann::ordered_json ordered = {{"b", std::string("\xC0\xAF")}, {"a", 1}};  // an overlong '/'
  EXPECT_EQ(json_text(ordered), "{\"b\":\"\xEF\xBF\xBD\xEF\xBF\xBD\",\"a\":1}");
}

TEST(Printable, ControlBytesAndInvalidUtf8AreEscaped) {
  EXPECT_EQ(printable("GET /x\r\n127.0.0.1 \"GET /admin\" 200"), "GET /x\\r\\n127.0.0.1 \"GET /admin\" 200");
  EXPECT_EQ(printable(std::string("a\0b", 3)), "a\\x00b");
  EXPECT_EQ(printable("\x1b[2Jred\x1b[31m"), "\\x1b[2Jred\\x1b[31m");
  EXPECT_EQ(printable("\xff/\xc3"), "\\xff/\\xc3");            // not UTF-8; a cut-off sequence
  EXPECT_EQ(printable("\xc2\x9b" "31m"), "\\xc2\\x9b31m");     // C1 CSI, valid UTF-8 but a control
  EXPECT_EQ(printable("tab\there \\ back"), "tab\\there \\\\ back");
  EXPECT_EQ(printable("Präparat 細胞 \xF0\x9F\x94\xAC"), "Präparat 細胞 \xF0\x9F\x94\xAC");  // kept
}

TEST(Quoted, QuotesInsideAreEscapedSoTheFieldEndsWhereItSays) {
  EXPECT_EQ(quoted_text("GET /a\" 200\n"), "\"GET /a\\\" 200\\n\"");
}

TEST(Utf8, ValidityFollowsTheStandard) {
  EXPECT_TRUE(is_valid_utf8("plain"));
  EXPECT_TRUE(is_valid_utf8("Präparat \xF4\x8F\xBF\xBF"));  // U+10FFFF, the last code point
  EXPECT_FALSE(is_valid_utf8("\xff"));
  EXPECT_FALSE(is_valid_utf8("\xC0\xAF"));          // overlong
  EXPECT_FALSE(is_valid_utf8("\xED\xA0\x80"));      // a UTF-16 surrogate
  EXPECT_FALSE(is_valid_utf8("\xF4\x90\x80\x80"));  // past U+10FFFF
  EXPECT_FALSE(is_valid_utf8("\xE2\x82"));          // cut off
}

}  // namespace
}  // namespace blastscan
