#include "formats/tfevents.h"

#include <unistd.h>

#include <chrono>
#include <climits>

#include "base/error.h"
#include "base/file_io.h"
#include "formats/tfrecord.h"
#include "tensorflow_event.pb.h"

namespace blastscan {

namespace {

double now_seconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string host_name() {
  char name[HOST_NAME_MAX + 1] = {};
  return gethostname(name, sizeof name - 1) == 0 && name[0] ? name : "localhost";
}

}  // namespace

EventWriter::EventWriter(const std::filesystem::path& dir) {
  std::filesystem::create_directories(dir);
  const double now = now_seconds();
  // TensorBoard's own name; a second writer in the same second gets a distinct suffix.
  std::string base = "events.out.tfevents." + std::to_string(static_cast<int64_t>(now)) + "." + host_name();
  path_ = dir / base;
  for (int i = 1; std::filesystem::exists(path_); ++i) path_ = dir / (base + "." + std::to_string(i));
  writer_ = std::make_unique<TfRecordWriter>(path_, TfRecordWriter::Mode::streaming);
  tensorflow::Event event;
  event.set_wall_time(now);
  event.set_file_version("brain.Event:2");
  writer_->write(event.SerializeAsString());
}

EventWriter::~EventWriter() = default;

void EventWriter::add_scalars(int64_t step, const std::vector<std::pair<std::string, float>>& scalars) {
  tensorflow::Event event;
  event.set_wall_time(now_seconds());
  event.set_step(step);
  for (const auto& [tag, value] : scalars) {
    auto* v = event.mutable_summary()->add_value();
    v->set_tag(tag);
    v->set_simple_value(value);
  }
  writer_->write(event.SerializeAsString());
}

std::vector<ScalarEvent> parse_scalar_events(std::span<const uint8_t> bytes, const std::string& name) {
  TfRecordReader reader(bytes, name);
  std::vector<ScalarEvent> scalars;
  size_t index = 0;
  for (; const auto record = reader.next(); ++index) {
    tensorflow::Event event;
    if (!event.ParseFromArray(record->data(), static_cast<int>(record->size())))
      throw InputError(name + ": record " + std::to_string(index) + ": not an Event");
    if (index == 0 && event.file_version().rfind("brain.Event:", 0) != 0)
      throw InputError(name + ": the first event has no file_version");
    for (const auto& v : event.summary().value())
      scalars.push_back({event.step(), event.wall_time(), v.tag(), v.simple_value()});
  }
  if (index == 0) throw InputError(name + ": no events");
  return scalars;
}

std::vector<ScalarEvent> read_scalar_events(const std::filesystem::path& path) {
  return parse_scalar_events(read_file(path), path.string());
}

}  // namespace blastscan
