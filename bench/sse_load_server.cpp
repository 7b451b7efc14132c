// A minimal load generator for bench/concurrent_streams: an epoll HTTP/1.1 server on 127.0.0.1
// that answers every POST with an OpenAI-style chat stream of N tokens, one every P ms, each
// token " t<CLOCK_MONOTONIC ns>" stamped at write time (the local provider's `stamp=1` shape).
// It exists because one Node process cannot write 200,000 events a second (bench/README.md):
// with it, 10,000 streams at 20 tokens/s measure the client instead of the server.
//
//   sse_load_server [--tokens 100] [--pace-ms 50]   prints "listening on http://127.0.0.1:PORT"
//
// Not a general server: no keep-alive (the body ends when the connection closes), no TLS, no
// request parsing beyond finding the end of the body. Benchmarks only.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <functional>
#include <queue>
#include <string>
#include <unordered_map>
#include <vector>

namespace {

int64_t NowNs() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

struct Connection {
  std::string request;  // until the whole request (headers + Content-Length body) arrived
  bool responding = false;
  int sent = 0;  // tokens written
};

constexpr std::string_view kHead =
    "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n"
    "Connection: close\r\n\r\n";

std::string TokenEvent() {
  return "data: {\"id\":\"chatcmpl-load\",\"object\":\"chat.completion.chunk\",\"created\":0,"
         "\"model\":\"load\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\" t" +
         std::to_string(NowNs()) + "\"},\"finish_reason\":null}]}\n\n";
}

constexpr std::string_view kTail =
    "data: {\"id\":\"chatcmpl-load\",\"object\":\"chat.completion.chunk\",\"created\":0,"
    "\"model\":\"load\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n"
    "data: [DONE]\n\n";

// True once `data` holds the headers and the Content-Length body.
bool RequestComplete(const std::string& data) {
  size_t end = data.find("\r\n\r\n");
  if (end == std::string::npos) return false;
  size_t length = 0;
  for (const char* name : {"Content-Length:", "content-length:"}) {
    size_t at = data.find(name);
    if (at != std::string::npos && at < end)
      length = std::strtoul(data.c_str() + at + 15, nullptr, 10);
  }
  return data.size() >= end + 4 + length;
}

// Small writes on a socket with room never block; a full socket (a client that does not read)
// drops the stream, which the benchmark then reports as a failure.
bool WriteAll(int fd, std::string_view bytes) {
  return send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(bytes.size());
}

}  // namespace

int main(int argc, char** argv) {
  int tokens = 100, pace_ms = 50;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--tokens") == 0) tokens = std::atoi(argv[i + 1]);
    if (std::strcmp(argv[i], "--pace-ms") == 0) pace_ms = std::atoi(argv[i + 1]);
  }
  rlimit files{};
  getrlimit(RLIMIT_NOFILE, &files);
  files.rlim_cur = files.rlim_max;
  setrlimit(RLIMIT_NOFILE, &files);

  int listener = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  int one = 1;
  setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      listen(listener, 65535) != 0) {
    std::perror("sse_load_server: bind/listen");
    return 1;
  }
  socklen_t length = sizeof address;
  getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length);
  std::printf("listening on http://127.0.0.1:%d\n", ntohs(address.sin_port));
  std::fflush(stdout);

  int epoll_fd = epoll_create1(EPOLL_CLOEXEC);
  epoll_event event{};
  event.events = EPOLLIN;
  event.data.fd = listener;
  epoll_ctl(epoll_fd, EPOLL_CTL_ADD, listener, &event);

  std::unordered_map<int, Connection> connections;
  using Due = std::pair<int64_t, int>;  // (due ns, fd)
  std::priority_queue<Due, std::vector<Due>, std::greater<>> timers;
  const int64_t pace_ns = static_cast<int64_t>(pace_ms) * 1000000;
  auto close_connection = [&](int fd) {
    connections.erase(fd);
    close(fd);  // also leaves the epoll set
  };

  std::vector<epoll_event> ready(1024);
  for (;;) {
    int timeout_ms = -1;
    if (!timers.empty()) {
      int64_t wait = (timers.top().first - NowNs()) / 1000000;
      timeout_ms = wait < 0 ? 0 : static_cast<int>(wait);
    }
    int count = epoll_wait(epoll_fd, ready.data(), static_cast<int>(ready.size()), timeout_ms);
    for (int i = 0; i < count; ++i) {
      int fd = ready[static_cast<size_t>(i)].data.fd;
      if (fd == listener) {
        for (int client;
             (client = accept4(listener, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0;) {
          setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
          epoll_event client_event{};
          client_event.events = EPOLLIN | EPOLLRDHUP;
          client_event.data.fd = client;
          epoll_ctl(epoll_fd, EPOLL_CTL_ADD, client, &client_event);
          connections[client] = Connection{};
        }
        continue;
      }
      auto it = connections.find(fd);
      if (it == connections.end()) continue;
      Connection& connection = it->second;
      char buffer[4096];
      ssize_t got = recv(fd, buffer, sizeof buffer, 0);
      if (got <= 0) {
        if (got == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) close_connection(fd);
        continue;
      }
      if (connection.responding) continue;  // nothing more is expected from the client
      connection.request.append(buffer, static_cast<size_t>(got));
      if (RequestComplete(connection.request)) {
        connection.responding = true;
        connection.request.clear();
        connection.request.shrink_to_fit();
        if (!WriteAll(fd, kHead)) {
          close_connection(fd);
          continue;
        }
        timers.emplace(NowNs(), fd);
      }
    }
    for (int64_t now = NowNs(); !timers.empty() && timers.top().first <= now;) {
      auto [due, fd] = timers.top();
      timers.pop();
      auto it = connections.find(fd);
      if (it == connections.end()) continue;
      Connection& connection = it->second;
      if (connection.sent < tokens) {
        if (!WriteAll(fd, TokenEvent())) {
          close_connection(fd);
          continue;
        }
        ++connection.sent;
        timers.emplace(due + pace_ns, fd);  // absolute slots: lateness does not accumulate
      } else {
        WriteAll(fd, kTail);
        close_connection(fd);
      }
    }
  }
}
