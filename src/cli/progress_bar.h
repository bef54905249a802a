// The CLI draws the library's progress: "checking images [#####.....] 120/480 41.3 img/s ETA 9s"
// on stderr, redrawn at most ten times a second, when stderr is a terminal. Elsewhere (logs,
// CI, pipes) terminal_progress() is empty, so the library does not even call it.
#pragma once
#include "base/progress.h"

namespace blastscan::cli {

ProgressFn terminal_progress();

}  // namespace blastscan::cli
