// The one epoch record: every field survives JSON exactly, floats print as written, and a
// record with a field missing is refused naming it.
#include <gtest/gtest.h>

#include "base/error.h"
#include "train/epoch_metrics.h"

namespace blastscan {
namespace {

TEST(EpochRecord, EveryFieldRoundTripsAndFloatsPrintShort) {
  const EpochMetrics m{.epoch = 3, .step = 42, .learning_rate = 0.003f, .train_loss = 0.31f,
                       .train_accuracy = 0.875f, .val_loss = 0.4f, .val_accuracy = 0.8f, .seconds = 1.25};
  const nlohmann::json j = epoch_to_json(m);
  const std::string text = j.dump();
  EXPECT_NE(text.find("\"learning_rate\":0.003,"), std::string::npos) << text;
  EXPECT_NE(text.find("\"val_accuracy\":0.8,"), std::string::npos) << text;
  EXPECT_NE(text.find("\"step\":42"), std::string::npos) << text;
  EXPECT_NE(text.find("\"seconds\":1.25"), std::string::npos) << text;
  const EpochMetrics back = epoch_from_json(nlohmann::json::parse(text), "card");
  EXPECT_EQ(back.epoch, m.epoch);
  EXPECT_EQ(back.step, m.step);
  EXPECT_EQ(back.learning_rate, m.learning_rate);  // the same float, bit for bit
  EXPECT_EQ(back.train_loss, m.train_loss);
  EXPECT_EQ(back.train_accuracy, m.train_accuracy);
  EXPECT_EQ(back.val_loss, m.val_loss);
  EXPECT_EQ(back.val_accuracy, m.val_accuracy);
  EXPECT_EQ(back.seconds, m.seconds);
}

TEST(EpochRecord, AMissingFieldIsAnErrorNamingIt) {
  nlohmann::json j = epoch_to_json({});
  j.erase("step");
  try {
    epoch_from_json(j, "run/model_card.json");
    FAIL() << "accepted a record without its step";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("run/model_card.json"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("'step'"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace blastscan
