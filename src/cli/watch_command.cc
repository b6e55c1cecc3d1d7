// `nightshift watch`: follows the server's event stream (GET /api/v1/events, Server-Sent Events)
// and prints one line per event, or each event's JSON with --output json. When the stream ends
// (the server restarted, or dropped a client that fell behind) it reconnects and resumes after
// the last event it printed, so no event is missed or printed twice.
#include <CLI/CLI.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <limits>
#include <optional>
#include <thread>
#include <utility>  // Boost 1.74's asio needs std::exchange declared first under GCC 12.

#include "cli/client.h"
#include "cli/command.h"
#include "webhooks/http_url.h"

namespace nightshift::cli {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

struct WatchFlags {
  ClientOptions client;
  std::vector<std::string> types, queues, pipelines, statuses;
  std::optional<uint64_t> since;
  int64_t count = 0;  // 0: forever
};

std::string Field(const Json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return "";
  return it->is_string() ? it->get<std::string>() : it->dump();
}

// "#12 08:16:52.821 job a (4c9c…) RUNNABLE -> STARTING queue=default: reason"
std::string EventLine(const Json& e) {
  const Json& d = e.contains("detail") ? e["detail"] : Json::object();
  const std::string time = Field(e, "time");
  std::string line =
      "#" + Field(e, "id") + " " + (time.size() >= 23 ? time.substr(11, 12) : time) + " ";
  const std::string kind = Field(e, "detail-type");
  std::string reason;
  if (kind == "Batch Job State Change") {
    const std::string previous = Field(d, "previousStatus");
    line += "job " + Field(d, "jobName") + " (" + Field(d, "jobId") + ") " +
            (previous.empty() ? "" : previous + " -> ") + Field(d, "status") +
            " queue=" + Field(d, "jobQueue").substr(Field(d, "jobQueue").rfind('/') + 1);
    if (d.contains("container") && d["container"].contains("exitCode"))
      line += " exit=" + Field(d["container"], "exitCode");
    reason = Field(d, "statusReason");
  } else if (kind == "Pipeline Run State Change") {
    line += "run " + Field(d, "pipeline") + " (" + Field(d, "runId") + ") " + Field(d, "status");
    reason = Field(d, "statusReason");
  } else if (kind == "Schedule Fire") {
    line += "fire " + Field(d, "group") + "/" + Field(d, "schedule") + " " + Field(d, "status") +
            " logical=" + Field(d, "logicalTime");
    reason = Field(d, "reason");
  } else {
    line += "schedule " + Field(d, "group") + "/" + Field(d, "schedule") + " " + Field(d, "status");
    reason = Field(d, "note");
  }
  return reason.empty() ? line : line + ": " + reason;
}

std::string Query(const WatchFlags& f) {
  std::string q;
  auto add = [&](const char* key, const std::vector<std::string>& values) {
    for (const std::string& v : values)
      q += (q.empty() ? "?" : "&") + std::string(key) + "=" + UrlEncode(v);
  };
  add("type", f.types);
  add("queue", f.queues);
  add("pipeline", f.pipelines);
  add("status", f.statuses);
  return q;
}

// Reads one connection's stream, printing events; returns when it ends. `last_id` is the last
// event printed; `printed` counts them. Errors: kUnavailable when the server cannot be reached,
// kInvalidArgument for a refused request.
Status Follow(const WatchFlags& f, const webhooks::HttpUrl& url, std::optional<uint64_t>& last_id,
              int64_t& printed) {
  try {
    asio::io_context io;
    asio::ip::tcp::resolver resolver(io);
    beast::tcp_stream stream(io);
    stream.connect(resolver.resolve(url.host, url.port));
    http::request<http::empty_body> req{http::verb::get, "/api/v1/events" + Query(f), 11};
    req.set(http::field::host, url.host);
    req.set(http::field::accept, "text/event-stream");
    if (last_id) req.set("Last-Event-ID", std::to_string(*last_id));
    http::write(stream, req);
    beast::flat_buffer buffer;
    http::response_parser<http::buffer_body> parser;
    parser.body_limit(std::numeric_limits<std::uint64_t>::max());
    http::read_header(stream, buffer, parser);
    std::string pending;
    char chunk[8192];
    while (!parser.is_done()) {
      parser.get().body().data = chunk;
      parser.get().body().size = sizeof chunk;
      beast::error_code ec;
      http::read_some(stream, buffer, parser, ec);
      if (ec == http::error::need_buffer) ec = {};
      if (ec) return Status::Ok();  // the stream ended: reconnect
      pending.append(chunk, sizeof chunk - parser.get().body().size);
      if (parser.get().result_int() != 200) continue;  // an error's body: read it whole
      for (size_t end; (end = pending.find("\n\n")) != std::string::npos;
           pending.erase(0, end + 2)) {
        const std::string message = pending.substr(0, end);
        const size_t data = message.find("data: ");
        if (message.rfind("event: dropped", 0) == 0 || data == std::string::npos ||
            message.rfind("id: ", 0) != 0)
          continue;
        const std::string text = message.substr(data + 6);
        const Json event = Json::parse(text, nullptr, false);
        if (event.is_discarded()) continue;
        last_id = event.value("id", uint64_t{0});
        std::cout << (f.client.output == "json" ? text : EventLine(event))
                  << std::endl;  // json: as sent
        if (f.count > 0 && ++printed >= f.count) return Status::Ok();
      }
    }
    if (parser.get().result_int() != 200) {
      const Json error = Json::parse(pending, nullptr, false);
      const std::string message = error.is_object() ? error.value("message", pending) : pending;
      return Status::InvalidArgument("HTTP " + std::to_string(parser.get().result_int()) + ": " +
                                     message);
    }
    return Status::Ok();
  } catch (const std::exception& e) {
    return Status::Unavailable(std::string("cannot reach the nightshift server: ") + e.what());
  }
}

int Watch(WatchFlags f) {
  const char* env = std::getenv("NIGHTSHIFT_SERVER");
  const std::string server = !f.client.server.empty() ? f.client.server
                             : env && *env            ? env
                                                      : "http://127.0.0.1:8080";
  Result<webhooks::HttpUrl> url = webhooks::ParseHttpUrl(server);
  if (!url.ok()) return ReportError(url.status());
  std::optional<uint64_t> last_id = f.since;
  int64_t printed = 0;
  int failures = 0;
  while (f.count == 0 || printed < f.count) {
    const std::optional<uint64_t> before = last_id;
    Status st = Follow(f, *url, last_id, printed);
    if (st.code() == StatusCode::kInvalidArgument) return ReportError(st);
    failures = st.ok() || last_id != before ? 0 : failures + 1;
    if (failures >= 30) return ReportError(st);  // about 30 s without a server
    if (f.count > 0 && printed >= f.count) break;
    std::this_thread::sleep_for(std::chrono::seconds(1));  // then resume after last_id
  }
  return 0;
}

}  // namespace

Command WatchCommand() {
  return {"watch", "Print the server's events as they happen (job, run and schedule changes)",
          [](CLI::App& app) {
            auto f = std::make_shared<WatchFlags>();
            app.add_option("--type", f->types,
                           "Only these event types: job, run, schedule (repeatable)");
            app.add_option("--queue", f->queues, "Only job events of this job queue (repeatable)");
            app.add_option("--pipeline", f->pipelines, "Only events of this pipeline (repeatable)");
            app.add_option("--status", f->statuses,
                           "Only events with this status, e.g. FAILED (repeatable)");
            app.add_option("--since", f->since,
                           "Start after this event id (default: new events only)");
            app.add_option("--count,-n", f->count, "Stop after N events (default: follow forever)");
            AddClientFlags(app, f->client);
            return [f] { return Watch(*f); };
          }};
}

}  // namespace nightshift::cli
