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

// Leaves a POST /Inference in flight: a GET /health on a keep-alive connection first proves a
// worker owns the connection, then the POST is sent with only `sent` bytes of its body. Returns
// the socket, or -1 if the server did not answer the GET.
int start_half_sent_inference(int port, const std::string& image, size_t sent);

}  // namespace blastscan::testing
