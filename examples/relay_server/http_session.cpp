#include "http_session.h"

#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <chrono>
#include <cstdio>
#include <random>
#include <string_view>
#include <variant>

#include "relay_request.h"
#include "relay_stream.h"
#include "server.h"

namespace relay {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

// Headers and body of a request must arrive within this (a browser sends them at once); the
// stream itself has no deadline here, the Session's timeouts bound the upstream.
constexpr auto kRequestDeadline = std::chrono::seconds(10);
constexpr size_t kMaxBodyBytes = 1 << 20;

// "r_" + 64 random bits in hex: unguessable, so a DELETE cannot cancel another page's stream by
// counting.
std::string NewStreamId() {
  std::random_device random;
  const uint64_t bits = (static_cast<uint64_t>(random()) << 32) | random();
  char id[32];
  std::snprintf(id, sizeof id, "r_%016llx", static_cast<unsigned long long>(bits));
  return id;
}

// The value of `name` in the target's query string ("" when absent). Stream ids need no
// percent-decoding: they are "r_" and hex.
std::string QueryParam(std::string_view target, std::string_view name) {
  size_t question = target.find('?');
  if (question == std::string_view::npos) return {};
  std::string_view query = target.substr(question + 1);
  while (!query.empty()) {
    std::string_view pair = query.substr(0, query.find('&'));
    query.remove_prefix(std::min(query.size(), pair.size() + 1));
    if (pair.substr(0, name.size()) == name && pair.size() > name.size() &&
        pair[name.size()] == '=') {
      return std::string(pair.substr(name.size() + 1));
    }
  }
  return {};
}

std::string ErrorJson(int status, std::string code, std::string message) {
  return RefusalJson({status, std::move(code), std::move(message)});
}

}  // namespace

HttpSession::HttpSession(Server& server, asio::ip::tcp::socket socket)
    : server_(server), stream_(std::move(socket)) {}

void HttpSession::Start() { Read(); }

void HttpSession::Read() {
  parser_.emplace();
  parser_->body_limit(kMaxBodyBytes);
  stream_.expires_after(kRequestDeadline);
  http::async_read(stream_, buffer_, *parser_,
                   [self = shared_from_this()](beast::error_code ec, size_t /*bytes*/) {
                     if (ec == http::error::body_limit) {
                       return self->Reply(
                           413, ErrorJson(413, "invalid_request", "the body is over 1 MiB"), false);
                     }
                     if (ec) {
                       beast::error_code ignored;
                       self->stream_.socket().shutdown(asio::ip::tcp::socket::shutdown_both,
                                                       ignored);
                       return;  // closed, timed out or not HTTP: nothing to answer
                     }
                     Request request = self->parser_->release();
                     self->Route(request);
                   });
}

void HttpSession::Route(Request& request) {
  const std::string_view target = request.target();
  const std::string_view path = target.substr(0, target.find('?'));
  const bool keep_alive = request.keep_alive();
  if (path == "/health" && request.method() == http::verb::get) {
    return Reply(200, R"({"ok":true})", keep_alive);
  }
  if (path != server_.config().path) {
    return Reply(404, ErrorJson(404, "invalid_request", "no relay here"), keep_alive);
  }
  if (auto version = request["Llmstream-Relay"]; !version.empty() && version != "1") {
    return Reply(426, ErrorJson(426, "invalid_request", "this relay speaks version 1"), keep_alive);
  }
  const std::string stream_id = QueryParam(target, "stream");
  switch (request.method()) {
    case http::verb::post:
      return StartStream(request);
    case http::verb::get:
      // Resuming needs the event store of the protocol, which this example does not keep.
      return Reply(
          409,
          ErrorJson(409, "invalid_request",
                    stream_id.empty()
                        ? "GET needs ?stream="
                        : "stream " + stream_id + " cannot be resumed: this relay keeps no events"),
          keep_alive);
    case http::verb::delete_:
      if (auto stream = server_.FindStream(stream_id)) {
        stream->Cancel();
        return Reply(204, "", keep_alive);
      }
      return Reply(409, ErrorJson(409, "invalid_request", "no live stream " + stream_id),
                   keep_alive);
    default:
      return Reply(405, ErrorJson(405, "invalid_request", "use POST, GET or DELETE"), keep_alive);
  }
}

void HttpSession::StartStream(Request& request) {
  const bool keep_alive = request.keep_alive();
  if (request[http::field::content_type].substr(0, 16) != "application/json") {
    return Reply(415, ErrorJson(415, "invalid_request", "the body must be application/json"),
                 keep_alive);
  }
  auto parsed = ParseRelayRequest(request.body(), server_.config().policy);
  if (auto* refusal = std::get_if<Refusal>(&parsed)) {
    return Reply(refusal->status, RefusalJson(*refusal), keep_alive);
  }
  // From here the socket is the stream's: no deadline (a stream may run for minutes), no more
  // requests on this connection.
  stream_.expires_never();
  std::string id = NewStreamId();
  auto stream =
      std::make_shared<RelayStream>(server_, stream_.release_socket(), id,
                                    std::move(std::get<llmstream::CompletionRequest>(parsed)));
  server_.AddStream(id, stream);
  stream->Start();
}

void HttpSession::Reply(int status, std::string body, bool keep_alive) {
  auto response = std::make_shared<http::response<http::string_body>>(
      static_cast<http::status>(status), 11, std::move(body));
  if (status != 204) response->set(http::field::content_type, "application/json");
  response->set("Llmstream-Relay", "1");
  response->keep_alive(keep_alive);
  response->prepare_payload();
  reply_ = response;
  http::async_write(
      stream_, *response, [self = shared_from_this(), keep_alive](beast::error_code ec, size_t) {
        self->reply_.reset();
        if (!ec && keep_alive) return self->Read();
        beast::error_code ignored;
        self->stream_.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
      });
}

}  // namespace relay
