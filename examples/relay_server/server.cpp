#include "server.h"

#include <boost/asio/ip/address.hpp>

#include "http_session.h"
#include "relay_stream.h"

namespace relay {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

Server::Server(asio::io_context& io, Config config)
    : io_(io), config_(std::move(config)), curl_(io), acceptor_(io), accept_pause_(io) {}

Server::~Server() {
  auto streams = std::move(streams_);
  for (auto& [id, stream] : streams) stream->Close();
}

uint16_t Server::Listen(const std::string& host, uint16_t port) {
  tcp::endpoint endpoint(asio::ip::make_address(host), port);
  acceptor_.open(endpoint.protocol());
  acceptor_.set_option(asio::socket_base::reuse_address(true));
  acceptor_.bind(endpoint);
  // A large backlog: a burst of thousands of browsers connecting at once must not be refused.
  acceptor_.listen(4096);
  Accept();
  return acceptor_.local_endpoint().port();
}

void Server::Accept() {
  acceptor_.async_accept([this](boost::system::error_code ec, tcp::socket socket) {
    if (!ec) {
      std::make_shared<HttpSession>(*this, std::move(socket))->Start();
      return Accept();
    }
    if (ec == asio::error::operation_aborted) return;
    // Out of descriptors (EMFILE) and the like: try again shortly (at once would spin), a
    // stream may have ended meanwhile.
    accept_pause_.expires_after(std::chrono::milliseconds(100));
    accept_pause_.async_wait([this](boost::system::error_code wait_ec) {
      if (!wait_ec) Accept();
    });
  });
}

int64_t Server::NowMs() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                               epoch_)
      .count();
}

std::chrono::steady_clock::time_point Server::TimeAt(int64_t ms) const {
  return epoch_ + std::chrono::milliseconds(ms);
}

void Server::AddStream(const std::string& id, std::shared_ptr<RelayStream> stream) {
  streams_.emplace(id, std::move(stream));
}

void Server::RemoveStream(const std::string& id) { streams_.erase(id); }

std::shared_ptr<RelayStream> Server::FindStream(const std::string& id) const {
  auto found = streams_.find(id);
  return found == streams_.end() ? nullptr : found->second;
}

}  // namespace relay
