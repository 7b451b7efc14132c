// One relayed stream: the core's Session asks for an upstream request, libcurl (on the shared
// multi handle) carries it, and every batch of events the Session returns is encoded by the
// core's RelayEncoder straight into the browser's chunked response. No thread of its own: curl
// callbacks, socket writes and the one timer all run on the server's io_context.
#pragma once

#include <curl/curl.h>

#include <array>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/serializer.hpp>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include "curl_asio.h"
#include "llmstream/event.h"
#include "llmstream/http_error.h"
#include "llmstream/relay.h"
#include "llmstream/request.h"
#include "llmstream/session.h"

namespace relay {

class Server;

class RelayStream : public std::enable_shared_from_this<RelayStream>, public CurlDoneHandler {
 public:
  RelayStream(Server& server, boost::asio::ip::tcp::socket socket, std::string id,
              llmstream::CompletionRequest request);
  ~RelayStream() override;

  // Sends the stream's headers and `start`, then drives the Session.
  void Start();
  // DELETE ?stream= or the browser went away: the upstream request is closed now.
  void Cancel();
  // Ends it now, whatever its state (the stream's end, the browser's, or the server's).
  void Close();

 private:
  void OnCurlDone(CURLcode code) override;
  static size_t OnHeader(char* data, size_t size, size_t count, void* self);
  static size_t OnWrite(char* data, size_t size, size_t count, void* self);
  size_t Write(std::string_view bytes);

  void PostDrive();
  void Drive();
  bool StartUpstream();
  void StopUpstream();
  void Emit(std::span<const llmstream::Event> events);

  void Flush();
  void WatchClient();
  void ClientGone();
  void ArmTimer();
  void OnTimer();

  Server& server_;
  boost::asio::ip::tcp::socket socket_;
  std::string id_;
  llmstream::Session session_;
  llmstream::RelayEncoder encoder_;
  boost::asio::steady_timer timer_;

  // Upstream (the transfer the Session asked for).
  CURL* easy_ = nullptr;
  curl_slist* header_list_ = nullptr;
  std::array<char, CURL_ERROR_SIZE> curl_error_{};
  int status_ = 0;
  llmstream::HeaderList headers_;
  bool response_ready_ = false;  // headers complete, not yet given to the Session
  bool paused_ = false;          // curl holds the body back until the browser caught up
  std::optional<CURLcode> done_code_;
  bool drive_posted_ = false;
  bool cancel_requested_ = false;
  bool cancel_delivered_ = false;
  bool finished_ = false;  // the Session is done: the terminal event is in pending_
  int64_t wake_at_ms_ = -1;

  // Downstream (the browser).
  boost::beast::http::response<boost::beast::http::empty_body> head_;
  boost::beast::http::response_serializer<boost::beast::http::empty_body> serializer_;
  std::string pending_;  // encoded, not yet written
  std::string writing_;  // in the write in flight
  bool writing_now_ = false;
  bool head_written_ = false;
  bool last_chunk_sent_ = false;
  bool client_gone_ = false;
  bool closed_ = false;
  int64_t last_sent_ms_ = 0;
  std::array<char, 512> read_buffer_{};

  // The timer's one wait: the earlier of the Session's wake-up and the keep-alive.
  bool timer_armed_ = false;
  int64_t timer_at_ms_ = 0;
  uint64_t timer_generation_ = 0;
};

}  // namespace relay
