// Raw HTTP over a loopback socket, for tests of clients that misbehave on purpose (stall
// mid-body, send half a request before a server is stopped), which an HTTP library won't do.
#pragma once
#include <string>

namespace blastscan::testing {

// A connected socket; reads give up after 60 s (a hang guard, not a timing assertion).
int connect_loopback(int port);
bool send_text(int fd, const std::string& text);
// One response on a keep-alive connection: headers, then Content-Length bytes of body.
std::string read_response(int fd);
// Everything the server sends until it closes the connection.
std::string read_until_closed(int fd);

}  // namespace blastscan::testing
