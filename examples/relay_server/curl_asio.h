// libcurl's multi interface driven by one Asio io_context, as curl's asiohiper example does: curl
// says which sockets it wants watched (CURLMOPT_SOCKETFUNCTION) and when its next timeout is
// (CURLMOPT_TIMERFUNCTION); Asio waits on them with the same epoll as the browser sockets, and
// calls curl_multi_socket_action back. Thousands of upstream transfers cost no thread, and TLS
// to the real providers stays libcurl's.
#pragma once

#include <curl/curl.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/descriptor_base.hpp>
#include <boost/asio/steady_timer.hpp>
#include <memory>
#include <unordered_map>

namespace relay {

// What a transfer's owner hears when curl finished it (its CURLOPT_PRIVATE must point to one).
class CurlDoneHandler {
 public:
  virtual ~CurlDoneHandler() = default;
  // Called from inside CurlMulti's loop: record the result and post the work, do not remove the
  // handle here.
  virtual void OnCurlDone(CURLcode code) = 0;
};

class CurlMulti {
 public:
  explicit CurlMulti(boost::asio::io_context& io);
  ~CurlMulti();
  CurlMulti(const CurlMulti&) = delete;
  CurlMulti& operator=(const CurlMulti&) = delete;

  bool ok() const { return multi_ != nullptr; }
  // The easy handle's CURLOPT_PRIVATE must be a CurlDoneHandler*.
  bool Add(CURL* easy);
  // Never from inside a curl callback (curl forbids it): post first.
  void Remove(CURL* easy);

 private:
  struct Watched;
  static int OnSocket(CURL* easy, curl_socket_t fd, int what, void* self, void* watched);
  static int OnTimer(CURLM* multi, long timeout_ms, void* self);
  void Arm(const std::shared_ptr<Watched>& watched);
  // One direction: `want` a CURL_POLL_ bit, `pending` its flag, `ready` the CURL_CSELECT_ bit.
  void Wait(const std::shared_ptr<Watched>& watched, int want, bool Watched::*pending,
            boost::asio::posix::descriptor_base::wait_type type, int ready);
  void Action(curl_socket_t fd, int mask);

  boost::asio::io_context& io_;
  boost::asio::steady_timer timer_;
  CURLM* multi_ = nullptr;
  std::unordered_map<curl_socket_t, std::shared_ptr<Watched>> sockets_;
};

}  // namespace relay
