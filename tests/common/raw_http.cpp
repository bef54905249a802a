#include "common/raw_http.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <regex>
#include <stdexcept>

namespace blastscan::testing {

int connect_loopback(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(uint16_t(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    throw std::runtime_error("cannot connect to 127.0.0.1:" + std::to_string(port));
  }
  timeval guard{60, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &guard, sizeof guard);
  return fd;
}

bool send_text(int fd, const std::string& text) {
  return send(fd, text.data(), text.size(), MSG_NOSIGNAL) == ssize_t(text.size());
}

std::string read_response(int fd) {
  std::string all;
  char c;
  while (all.find("\r\n\r\n") == std::string::npos && recv(fd, &c, 1, 0) == 1) all += c;
  std::smatch length;
  if (!std::regex_search(all, length, std::regex("Content-Length: ([0-9]+)"))) return all;
  for (size_t left = std::stoul(length[1]); left > 0 && recv(fd, &c, 1, 0) == 1; --left) all += c;
  return all;
}

std::string read_until_closed(int fd) {
  std::string all;
  char buf[4096];
  ssize_t n;
  while ((n = recv(fd, buf, sizeof buf, 0)) > 0) all.append(buf, size_t(n));
  return all;
}

int start_half_sent_inference(int port, const std::string& image, size_t sent) {
  const int fd = connect_loopback(port);
  if (!send_text(fd, "GET /health HTTP/1.1\r\nHost: x\r\n\r\n") || read_response(fd).rfind("HTTP/1.1 200", 0) != 0)
    return -1;
  const bool ok = send_text(fd, "POST /Inference HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: " +
                                    std::to_string(image.size()) + "\r\n\r\n" + image.substr(0, sent));
  return ok ? fd : -1;
}

}  // namespace blastscan::testing
