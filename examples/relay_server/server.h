// The relay server: one acceptor, one libcurl multi handle, and the streams it serves, all on one
// io_context and one thread (asio handlers never run concurrently, so nothing here is locked).
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>

#include "curl_asio.h"
#include "llmstream/request.h"
#include "relay_request.h"

namespace relay {

class RelayStream;

struct Config {
  Policy policy;
  llmstream::ProviderConfig provider;  // with the key from the environment
  std::string path = "/api/chat";      // where the relay answers
  int64_t keep_alive_ms = 15000;       // ": keep-alive" after this much silence
};

class Server {
 public:
  Server(boost::asio::io_context& io, Config config);
  // Closes the live streams first: their upstream handles belong to curl_.
  ~Server();

  // Binds and starts accepting; the port actually bound (0 picks one).
  uint16_t Listen(const std::string& host, uint16_t port);

  boost::asio::io_context& io() { return io_; }
  CurlMulti& curl() { return curl_; }
  const Config& config() const { return config_; }
  // Milliseconds on one monotonic clock, for the Session (it reads no clock itself).
  int64_t NowMs() const;
  std::chrono::steady_clock::time_point TimeAt(int64_t ms) const;

  void AddStream(const std::string& id, std::shared_ptr<RelayStream> stream);
  void RemoveStream(const std::string& id);
  std::shared_ptr<RelayStream> FindStream(const std::string& id) const;

 private:
  void Accept();

  boost::asio::io_context& io_;
  Config config_;
  CurlMulti curl_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer accept_pause_;
  std::chrono::steady_clock::time_point epoch_ = std::chrono::steady_clock::now();
  // The live streams, by id: what DELETE ?stream= cancels. A stream leaves when it closed.
  std::unordered_map<std::string, std::shared_ptr<RelayStream>> streams_;
};

}  // namespace relay
