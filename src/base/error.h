// The one exception type the library throws. The message names the thing (file, node,
// request field) and the problem, e.g. "m.pb: node 'X/weights': shape [3,3,32], expected
// [3,3,3,32]". It is caught only in the CLI's main and the server's request wrapper.
#pragma once
#include <stdexcept>
#include <string>

namespace blastscan {

struct Error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Bad input from outside (file contents, flags, HTTP bodies), as opposed to a bug. The server
// answers it with 4xx, anything else with 500.
struct InputError : Error {
  using Error::Error;
};

}  // namespace blastscan
