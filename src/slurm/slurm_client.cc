#include "slurm/slurm_client.h"

#include <sys/socket.h>
#include <sys/time.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <map>
#include <utility>

namespace nightshift::slurm {
namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;

constexpr char kApi[] = "/slurm/v0.0.38/";

class CommandClient final : public SlurmClient {
 public:
  CommandClient(CommandRunner& runner, std::string bin_dir) : runner_(runner), bin_dir_(std::move(bin_dir)) {}

  std::string SubmitterName() const override { return "sbatch"; }
  void Submit(const Submission& submission, int lock_fd, Done done) override {
    runner_.Run(SbatchArgv(Tool("sbatch"), submission), std::move(done), lock_fd);
  }
  void Cancel(const std::string& element, bool term, Done done) override {
    std::vector<std::string> argv = {Tool("scancel")};
    if (term) argv.insert(argv.end(), {"--signal=TERM", "--full"});
    argv.push_back(element);
    runner_.Run(std::move(argv), std::move(done));
  }
  void Queue(Done done) override { runner_.Run({Tool("squeue"), "--json"}, std::move(done)); }
  CommandResult QueueNow() override { return runner_.RunNow({Tool("squeue"), "--json"}); }
  void Accounting(const std::string& ids, bool completion_log, Done done) override {
    runner_.Run({Tool("sacct"), completion_log ? "-c" : "-X", "-n", "-P", kSacctFormat, "-j", ids}, std::move(done));
  }

 private:
  std::string Tool(const char* name) const { return bin_dir_.empty() ? std::string(name) : bin_dir_ + "/" + name; }

  CommandRunner& runner_;
  std::string bin_dir_;
};

// One blocking HTTP exchange with slurmrestd, bounded by the socket's send and receive timeouts.
// A connection that fails is "Unable to contact slurmrestd" (IsTransientSlurmError: retried); an
// answer with errors has exit code 1 and the errors as its text.
class RestClient final : public SlurmClient {
 public:
  RestClient(CommandRunner& runner, RestEndpoint endpoint, std::chrono::milliseconds time_limit)
      : runner_(runner), endpoint_(std::move(endpoint)), time_limit_(time_limit) {
    for (const std::string& var : runner_.Environment()) {
      const size_t eq = var.find('=');
      if (eq != std::string::npos && var.compare(0, 6, "SLURM_") != 0) environment_[var.substr(0, eq)] = var.substr(eq + 1);
    }
  }

  std::string SubmitterName() const override { return "slurmrestd"; }
  void Submit(const Submission& submission, int /*lock_fd*/, Done done) override {
    Result<std::string> body = RestSubmitBody(submission, environment_);
    if (!body.ok()) {
      CommandResult refused;
      refused.started = body.status();
      done(std::move(refused));
      return;
    }
    runner_.RunTask(
        [this, body = std::move(*body)] {
          CommandResult r = Call(http::verb::post, "job/submit", body);
          if (r.out.empty()) return r;  // no answer
          Result<std::string> id = ParseRestSubmitAnswer(r.out);
          r.exit_code = id.ok() ? 0 : 1;
          r.out = id.ok() ? *id : "";
          r.err = id.ok() ? "" : id.status().message();
          return r;
        },
        std::move(done));
  }
  void Cancel(const std::string& element, bool term, Done done) override {
    runner_.RunTask([this, target = "job/" + element + (term ? "?signal=SIGTERM" : "")] {
      return Call(http::verb::delete_, target, "");
    }, std::move(done));
  }
  void Queue(Done done) override {
    runner_.RunTask([this] { return QueueNow(); }, std::move(done));
  }
  CommandResult QueueNow() override { return Call(http::verb::get, "jobs", ""); }
  void Accounting(const std::string& /*ids*/, bool /*completion_log*/, Done done) override {
    CommandResult none;
    none.started = Status::NotFound("no accounting look-up through slurmrestd (sacct reads it on the client commands' host)");
    done(std::move(none));
  }

 private:
  CommandResult Call(http::verb verb, const std::string& target, const std::string& body) const {
    http::request<http::string_body> request{verb, kApi + target, 11};
    request.set(http::field::host, "slurmrestd");
    if (!endpoint_.token.empty()) {
      request.set("X-SLURM-USER-NAME", endpoint_.user);
      request.set("X-SLURM-USER-TOKEN", endpoint_.token);
    }
    if (!body.empty()) {
      request.set(http::field::content_type, "application/json");
      request.body() = body;
    }
    request.prepare_payload();
    http::response<http::string_body> response;
    boost::system::error_code ec;
    asio::io_context io;
    auto exchange = [&](auto& socket) {
      timeval limit{static_cast<time_t>(time_limit_.count() / 1000),
                    static_cast<suseconds_t>(time_limit_.count() % 1000 * 1000)};
      ::setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
      ::setsockopt(socket.native_handle(), SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof limit);
      http::write(socket, request, ec);
      boost::beast::flat_buffer buffer;
      if (!ec) http::read(socket, buffer, response, ec);
    };
    if (endpoint_.url.rfind("unix:", 0) == 0) {
      asio::local::stream_protocol::socket socket(io);
      socket.connect(asio::local::stream_protocol::endpoint(endpoint_.url.substr(5)), ec);
      if (!ec) exchange(socket);
    } else {
      const std::string host_port = endpoint_.url.substr(7);  // after "http://"
      const size_t colon = host_port.rfind(':');
      asio::ip::tcp::resolver resolver(io);
      auto found = resolver.resolve(host_port.substr(0, colon),
                                    colon == std::string::npos ? "80" : host_port.substr(colon + 1), ec);
      asio::ip::tcp::socket socket(io);
      if (!ec) asio::connect(socket, found, ec);
      if (!ec) exchange(socket);
    }
    CommandResult r;
    if (ec) {
      r.exit_code = 1;
      r.err = "Unable to contact slurmrestd at " + endpoint_.url + ": " + ec.message();
      return r;
    }
    r.out = std::move(response.body());
    const std::string errors = RestErrors(r.out);
    r.exit_code = response.result_int() >= 400 || !errors.empty() ? 1 : 0;
    if (r.exit_code != 0) {
      r.err = "slurmrestd: " + (errors.empty() ? "HTTP " + std::to_string(response.result_int()) : errors);
    }
    return r;
  }

  CommandRunner& runner_;
  RestEndpoint endpoint_;
  std::chrono::milliseconds time_limit_;
  std::map<std::string, std::string> environment_;  // what the jobs' batch scripts get
};

}  // namespace

std::unique_ptr<SlurmClient> MakeCommandClient(CommandRunner& runner, std::string bin_dir) {
  return std::make_unique<CommandClient>(runner, std::move(bin_dir));
}

Result<std::unique_ptr<SlurmClient>> MakeRestClient(CommandRunner& runner, RestEndpoint endpoint,
                                                    std::chrono::milliseconds time_limit) {
  const std::string& url = endpoint.url;
  const bool unix_socket = url.rfind("unix:/", 0) == 0;
  const bool http = url.rfind("http://", 0) == 0 && url.size() > 7 && url.find('/', 7) == std::string::npos;
  if (!unix_socket && !http) {
    return Status::InvalidArgument("slurmrestd URL \"" + url + "\" is neither unix:/PATH nor http://HOST:PORT");
  }
  if (endpoint.token.empty() != endpoint.user.empty()) {
    return Status::InvalidArgument("slurmrestd: a JWT needs its user name, and a user name its JWT");
  }
  return std::unique_ptr<SlurmClient>(std::make_unique<RestClient>(runner, std::move(endpoint), time_limit));
}

}  // namespace nightshift::slurm
