// The time now as ISO 8601 UTC ("2026-11-25T21:17:53Z"), for model cards and reports.
#pragma once
#include <string>

namespace blastscan {

std::string iso_time_now();

}  // namespace blastscan
