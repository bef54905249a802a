#include "train/timestamp.h"

#include <ctime>

namespace blastscan {

std::string iso_time_now() {
  const std::time_t t = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&t, &utc);  // the reentrant form: the server may write reports from several threads
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return buf;
}

}  // namespace blastscan
