// TensorBoard event files (events.out.tfevents.<seconds>.<host>): TFRecord-framed Event protos,
// a file_version event first, then one event per step holding scalar summaries, each with its
// step and wall time. Written in streaming mode and flushed per event, so TensorBoard can follow
// a run while it trains. Only scalars: no images, histograms or graphs.
#pragma once
#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace blastscan {

class TfRecordWriter;

class EventWriter {
 public:
  // Creates a new event file in dir (made if missing) and writes the file_version event.
  explicit EventWriter(const std::filesystem::path& dir);
  ~EventWriter();

  // One event at `step` holding every (tag, value) pair.
  void add_scalars(int64_t step, const std::vector<std::pair<std::string, float>>& scalars);
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
  std::unique_ptr<TfRecordWriter> writer_;
};

struct ScalarEvent {
  int64_t step = 0;
  double wall_time = 0;
  std::string tag;
  float value = 0;
};

// The scalars of an event file, in order (for tests and for reading a run's curves back).
// Throws InputError on a bad record or a file that does not start with a file_version event;
// `name` names the bytes in errors.
std::vector<ScalarEvent> parse_scalar_events(std::span<const uint8_t> bytes, const std::string& name);
std::vector<ScalarEvent> read_scalar_events(const std::filesystem::path& path);

}  // namespace blastscan
