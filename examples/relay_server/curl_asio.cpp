#include "curl_asio.h"

#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <chrono>

namespace relay {

namespace asio = boost::asio;

// One socket curl asked us to watch. The descriptor only borrows curl's fd: curl closes it, after
// telling us CURL_POLL_REMOVE, when we release() it (so epoll forgets it before it is reused).
struct CurlMulti::Watched {
  Watched(asio::io_context& io, curl_socket_t s) : fd(io), socket(s) {}
  asio::posix::stream_descriptor fd;
  curl_socket_t socket;
  int what = 0;  // CURL_POLL_IN / OUT / INOUT
  bool reading = false;
  bool writing = false;
  bool gone = false;
};

CurlMulti::CurlMulti(asio::io_context& io) : io_(io), timer_(io) {
  multi_ = curl_multi_init();
  if (multi_ == nullptr) return;
  curl_multi_setopt(multi_, CURLMOPT_SOCKETFUNCTION, &CurlMulti::OnSocket);
  curl_multi_setopt(multi_, CURLMOPT_SOCKETDATA, this);
  curl_multi_setopt(multi_, CURLMOPT_TIMERFUNCTION, &CurlMulti::OnTimer);
  curl_multi_setopt(multi_, CURLMOPT_TIMERDATA, this);
}

CurlMulti::~CurlMulti() {
  for (auto& [fd, watched] : sockets_) {
    watched->gone = true;
    watched->fd.release();
  }
  if (multi_ != nullptr) curl_multi_cleanup(multi_);
}

bool CurlMulti::Add(CURL* easy) { return curl_multi_add_handle(multi_, easy) == CURLM_OK; }

void CurlMulti::Remove(CURL* easy) { curl_multi_remove_handle(multi_, easy); }

int CurlMulti::OnSocket(CURL* /*easy*/, curl_socket_t fd, int what, void* self, void* /*watched*/) {
  auto* multi = static_cast<CurlMulti*>(self);
  auto found = multi->sockets_.find(fd);
  if (what == CURL_POLL_REMOVE) {
    if (found != multi->sockets_.end()) {
      found->second->gone = true;
      found->second->fd.release();  // cancels its waits; curl closes the fd itself
      multi->sockets_.erase(found);
    }
    return 0;
  }
  if (found == multi->sockets_.end()) {
    auto watched = std::make_shared<Watched>(multi->io_, fd);
    boost::system::error_code ec;
    watched->fd.assign(fd, ec);  // no exception may cross libcurl's C frames
    if (ec) return -1;           // curl fails that transfer
    found = multi->sockets_.emplace(fd, std::move(watched)).first;
  }
  found->second->what = what;
  multi->Arm(found->second);
  return 0;
}

// At most one read wait and one write wait per socket; a wait that fires re-arms itself while
// curl still wants that direction.
void CurlMulti::Arm(const std::shared_ptr<Watched>& watched) {
  Wait(watched, CURL_POLL_IN, &Watched::reading, asio::posix::descriptor_base::wait_read,
       CURL_CSELECT_IN);
  Wait(watched, CURL_POLL_OUT, &Watched::writing, asio::posix::descriptor_base::wait_write,
       CURL_CSELECT_OUT);
}

void CurlMulti::Wait(const std::shared_ptr<Watched>& watched, int want, bool Watched::*pending,
                     asio::posix::descriptor_base::wait_type type, int ready) {
  if (!(watched->what & want) || watched.get()->*pending) return;
  watched.get()->*pending = true;
  watched->fd.async_wait(type, [this, watched, pending, ready](boost::system::error_code ec) {
    watched.get()->*pending = false;
    if (ec || watched->gone) return;
    Action(watched->socket, ready);
    if (!watched->gone) Arm(watched);
  });
}

int CurlMulti::OnTimer(CURLM* /*multi*/, long timeout_ms, void* self) {
  auto* multi = static_cast<CurlMulti*>(self);
  multi->timer_.cancel();
  if (timeout_ms < 0) return 0;
  // 0 too goes through the timer: curl must not be re-entered from its own callback.
  multi->timer_.expires_after(std::chrono::milliseconds(timeout_ms));
  multi->timer_.async_wait([multi](boost::system::error_code ec) {
    if (!ec) multi->Action(CURL_SOCKET_TIMEOUT, 0);
  });
  return 0;
}

void CurlMulti::Action(curl_socket_t fd, int mask) {
  int running = 0;
  curl_multi_socket_action(multi_, fd, mask, &running);
  int left = 0;
  while (CURLMsg* message = curl_multi_info_read(multi_, &left)) {
    if (message->msg != CURLMSG_DONE) continue;
    CurlDoneHandler* handler = nullptr;
    curl_easy_getinfo(message->easy_handle, CURLINFO_PRIVATE, &handler);
    if (handler != nullptr) handler->OnCurlDone(message->data.result);
  }
}

}  // namespace relay
