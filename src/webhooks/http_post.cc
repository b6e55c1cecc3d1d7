#include "webhooks/http_post.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <memory>
#include <utility>  // Boost 1.74's asio needs std::exchange declared first under GCC 12.

namespace nightshift::webhooks {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

// resolve -> connect -> write -> read, each step under the one deadline.
class PostOp : public std::enable_shared_from_this<PostOp> {
 public:
  PostOp(asio::io_context& io, std::chrono::milliseconds timeout,
         std::function<void(PostResult)> done)
      : resolver_(io), stream_(io), timeout_(timeout), done_(std::move(done)) {}

  void Start(const HttpUrl& url, std::string body,
             const std::vector<std::pair<std::string, std::string>>& headers) {
    request_.method(http::verb::post);
    request_.target(url.target);
    request_.version(11);
    request_.set(http::field::host, url.port == "80" ? url.host : url.host + ":" + url.port);
    request_.set(http::field::user_agent, "nightshift-webhooks");
    request_.set(http::field::content_type, "application/json");
    request_.set(http::field::connection, "close");
    for (const auto& [name, value] : headers) request_.set(name, value);
    request_.body() = std::move(body);
    request_.prepare_payload();
    stream_.expires_after(timeout_);
    resolver_.async_resolve(
        url.host, url.port,
        [self = shared_from_this()](beast::error_code ec, tcp::resolver::results_type results) {
          if (ec) return self->Fail("resolve", ec);
          self->Connect(results);
        });
  }

 private:
  void Connect(const tcp::resolver::results_type& results) {
    stream_.async_connect(
        results, [self = shared_from_this()](beast::error_code ec, const tcp::endpoint&) {
          if (ec) return self->Fail("connect", ec);
          http::async_write(self->stream_, self->request_, [self](beast::error_code ec, size_t) {
            if (ec) return self->Fail("write", ec);
            self->Read();
          });
        });
  }

  void Read() {
    http::async_read(stream_, buffer_, response_,
                     [self = shared_from_this()](beast::error_code ec, size_t) {
                       if (ec) return self->Fail("read", ec);
                       beast::error_code ignored;
                       self->stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
                       self->done_({static_cast<int>(self->response_.result_int()), ""});
                     });
  }

  void Fail(const char* step, beast::error_code ec) {
    done_({0, ec == beast::error::timeout
                  ? std::string("timed out after ") + std::to_string(timeout_.count()) + " ms"
                  : std::string(step) + ": " + ec.message()});
  }

  tcp::resolver resolver_;
  beast::tcp_stream stream_;
  std::chrono::milliseconds timeout_;
  std::function<void(PostResult)> done_;
  http::request<http::string_body> request_;
  beast::flat_buffer buffer_;
  http::response<http::string_body> response_;
};

}  // namespace

void AsyncPost(asio::io_context& io, const HttpUrl& url, std::string body,
               std::vector<std::pair<std::string, std::string>> headers,
               std::chrono::milliseconds timeout, std::function<void(PostResult)> done) {
  std::make_shared<PostOp>(io, timeout, std::move(done))->Start(url, std::move(body), headers);
}

}  // namespace nightshift::webhooks
