// One browser connection until it either gets a plain answer (errors, DELETE: the connection may
// carry further requests) or becomes a RelayStream (the socket is handed over).
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <memory>
#include <optional>
#include <string>

namespace relay {

class Server;

class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(Server& server, boost::asio::ip::tcp::socket socket);
  void Start();

 private:
  using Request = boost::beast::http::request<boost::beast::http::string_body>;

  void Read();
  void Route(Request& request);
  void StartStream(Request& request);
  void Reply(int status, std::string body, bool keep_alive);

  Server& server_;
  boost::beast::tcp_stream stream_;
  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  std::shared_ptr<void> reply_;  // the response being written
};

}  // namespace relay
