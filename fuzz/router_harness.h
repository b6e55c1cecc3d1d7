// RouterHarness: the API as the server serves it, without a socket, for the request fuzzers — a
// real engine on a SQLite store in a temp dir, a fake executor (no process runs), a fake clock,
// and two routers over that engine: one with every route open (no authentication), one that
// demands SigV4 or a token (one access key configured). Send() runs the engine's loop until the
// request is answered and checks what must hold for every input:
//   * every request is answered, once, within 10 s of loop time;
//   * nothing a client sends is answered 5xx (bad input is the client's error: 4xx);
//   * a JSON answer parses as JSON, and an error answer names its error type;
//   * no answer holds the contents of a file outside the web UI's directory (a file beside it
//     holds a marker that must never be served).
// The state is made anew every kRenewEvery requests so that what earlier inputs stored (jobs,
// schedules) stays bounded; a crash therefore replays from its one input on a fresh state.
// Thread-safety: none; the fuzzers are single-threaded.
#pragma once

#include <utility>  // Boost 1.74's asio needs std::exchange declared first under GCC 12.

#include <stdlib.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "api/router.h"
#include "auth/access_key.h"
#include "auth/authenticator.h"
#include "auth/token_ring.h"
#include "engine/engine.h"
#include "store/sqlite_store.h"
#include "testing/fake_executor.h"
#include "util/clock.h"

namespace nightshift::fuzz {

inline void Check(bool ok, const char* what, const std::string& detail = "") {
  if (!ok) {
    std::fprintf(stderr, "invariant violated: %s\n%s\n", what, detail.c_str());
    std::abort();
  }
}

class RouterHarness {
 public:
  static constexpr int kRenewEvery = 2000;

  RouterHarness() {
    char tmpl[] = "/tmp/nightshift-fuzz-XXXXXX";
    const char* dir = mkdtemp(tmpl);
    Check(dir != nullptr, "mkdtemp");
    dir_ = dir;
    // The web UI's files, and beside them a file that no path may reach.
    std::filesystem::create_directories(dir_ + "/ui/assets");
    WriteFile(dir_ + "/ui/index.html", "<!doctype html><title>nightshift</title>");
    WriteFile(dir_ + "/ui/assets/app.js", "console.log(1)");
    WriteFile(dir_ + "/secret.txt", kSecretMarker);
    auth::AccessKey key{.id = "AKIDFUZZ", .secret = "fuzz-secret"};
    Check(keys_.Add(key).ok(), "access key");
    Renew();
  }
  ~RouterHarness() {
    open_router_.reset();
    signed_router_.reset();
    engine_.reset();
    store_.reset();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  // Routes `request` (to the signed router when it carries credentials) and returns the answer,
  // after checking the invariants above.
  api::HttpResponse Send(api::HttpRequest request) {
    if (++sent_ % kRenewEvery == 0) Renew();
    const bool has_credentials = !request.Header("authorization").empty();
    api::Router& router = has_credentials ? *signed_router_ : *open_router_;
    const std::string what = request.method + " " + request.path + "?" + request.query;
    // The secret file can leak only through the UI's file server. The API answers may echo what
    // earlier inputs stored (a queue named after the marker, which libFuzzer learns from the
    // comparison below, shows in /metrics): they are not files.
    const bool api_route = request.path.rfind("/v1/", 0) == 0 || request.path.rfind("/api/", 0) == 0 ||
                           request.path == "/metrics" || request.path == "/healthz";
    std::string sent = what + request.body;
    for (const auto& [name, value] : request.headers) sent += name + value;
    std::optional<api::HttpResponse> answer;
    int answers = 0;
    router.Handle(std::move(request), [&](api::HttpResponse r) {
      ++answers;
      answer = std::move(r);
    });
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!answer && std::chrono::steady_clock::now() < deadline) {
      io_->restart();
      io_->run_one_for(std::chrono::milliseconds(10));
    }
    Check(answer.has_value(), "a request was never answered", what);
    // Whatever else the loop had to do (lazy commits, timers) runs now, as it would in the server.
    io_->restart();
    io_->poll();
    Check(answers == 1, "a request was answered more than once", what);
    Check(answer->status >= 200 && answer->status < 500, "answered outside 2xx-4xx",
          what + " -> " + std::to_string(answer->status) + " " + answer->body);
    // (An answer may echo what the request said: the check holds only when it did not say it.)
    Check(api_route || answer->body.find(kSecretMarker) == std::string::npos ||
              sent.find(kSecretMarker) != std::string::npos,
          "a file outside the UI directory was served", what);
    if (!answer->stream && answer->content_type == "application/json" && !answer->body.empty()) {
      const nlohmann::json body = nlohmann::json::parse(answer->body, nullptr, /*allow_exceptions=*/false);
      Check(!body.is_discarded(), "a JSON answer does not parse", what + " -> " + answer->body);
      if (answer->status >= 400) {
        Check(body.is_object() && (body.contains("__type") || body.contains("message") || body.contains("Message")),
              "an error answer names no error", what + " -> " + answer->body);
      }
    }
    return std::move(*answer);
  }

 private:
  static constexpr char kSecretMarker[] = "fuzz-secret-marker-7f3a";

  static void WriteFile(const std::string& path, const std::string& text) {
    std::FILE* f = std::fopen(path.c_str(), "w");
    Check(f != nullptr, "cannot write", path);
    std::fputs(text.c_str(), f);
    std::fclose(f);
  }

  // A fresh store and engine, with what the seeds refer to: the default compute environment and
  // queue (made by Start) and a job definition "fz".
  void Renew() {
    open_router_.reset();
    signed_router_.reset();
    engine_.reset();
    store_.reset();
    std::error_code ignored;
    std::filesystem::remove(dir_ + "/nightshift.db", ignored);
    std::filesystem::remove(dir_ + "/nightshift.db-wal", ignored);
    std::filesystem::remove(dir_ + "/nightshift.db-shm", ignored);
    io_ = std::make_unique<boost::asio::io_context>();
    executor_ = std::make_unique<testing::FakeExecutor>();
    auto store = store::SqliteStore::Open(dir_ + "/nightshift.db");
    Check(store.ok(), "store", store.ok() ? "" : store.status().ToString());
    store_ = std::move(store).value();
    engine_ = std::make_unique<engine::Engine>(*io_, *store_, *executor_, clock_, engine::EngineOptions{});
    Check(engine_->Start().ok(), "engine start");
    open_auth_ = std::make_unique<auth::Authenticator>(auth::KeyRing{}, engine_->api_tokens(), false, clock_);
    signed_auth_ = std::make_unique<auth::Authenticator>(keys_, engine_->api_tokens(), true, clock_);
    open_router_ = std::make_unique<api::Router>(*engine_, *io_, *open_auth_);
    signed_router_ = std::make_unique<api::Router>(*engine_, *io_, *signed_auth_);
    open_router_->SetUiDir(dir_ + "/ui");
    signed_router_->SetUiDir(dir_ + "/ui");
    api::HttpRequest define;
    define.method = "POST";
    define.path = "/v1/registerjobdefinition";
    define.body = R"({"jobDefinitionName": "fz", "type": "container", "containerProperties": {"command": ["true"]}})";
    Check(Send(std::move(define)).status == 200, "seed job definition");
  }

  std::string dir_;
  auth::KeyRing keys_;
  FakeClock clock_;
  std::unique_ptr<boost::asio::io_context> io_;
  std::unique_ptr<testing::FakeExecutor> executor_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<engine::Engine> engine_;
  std::unique_ptr<auth::Authenticator> open_auth_;
  std::unique_ptr<auth::Authenticator> signed_auth_;
  std::unique_ptr<api::Router> open_router_;
  std::unique_ptr<api::Router> signed_router_;
  long sent_ = 0;
};

}  // namespace nightshift::fuzz
