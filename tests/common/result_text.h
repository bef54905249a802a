// Printed results (classify, merge, client) with the measured per-image times blanked, so two
// runs over the same images compare byte for byte: the times are measurements, the rest is not.
// And the float numbers in JSON text that are printed wider than the float they hold.
#pragma once
#include <string>
#include <vector>

namespace blastscan::testing {

// "time_ms": 12.3 in JSON, "  12.3 ms  " in the table and the time_ms column of CSV become T.
std::string without_times(const std::string& text);

// The numbers in JSON text, under any of `keys` (the key's number, or every number of the flat
// object or array it holds), that are not a float's shortest form: 0.003000000026077032 for 0.003f.
// Also returns "no <key>" for a key that does not occur, so a check cannot pass on nothing.
std::vector<std::string> widened_floats(const std::string& json_text, const std::vector<std::string>& keys);

}  // namespace blastscan::testing
