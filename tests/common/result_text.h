// Printed results (classify, merge, client) with the measured per-image times blanked, so two
// runs over the same images compare byte for byte: the times are measurements, the rest is not.
#pragma once
#include <string>

namespace blastscan::testing {

// "time_ms": 12.3 in JSON, "  12.3 ms  " in the table and the time_ms column of CSV become T.
std::string without_times(const std::string& text);

}  // namespace blastscan::testing
