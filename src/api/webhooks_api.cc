#include "api/webhooks_api.h"

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <cstdlib>
#include <utility>  // Boost 1.74's asio needs std::exchange declared first under GCC 12.

#include "api/answer.h"
#include "schedule/timetable.h"
#include "webhooks/http_url.h"

namespace nightshift::api {
namespace {

constexpr char kWebhookRef[] = R"({"$ref": "#/components/schemas/Webhook"})";
constexpr int kMaxDeliveryPage = 1000;

Json WebhookJson(const core::WebhookSubscription& w) {
  Json filter = Json::object();
  if (!w.filter.types.empty()) {
    Json types = Json::array();
    for (core::EventType t : w.filter.types) types.push_back(std::string(core::Name(t)));
    filter["type"] = types;
  }
  if (!w.filter.statuses.empty()) filter["status"] = w.filter.statuses;
  if (!w.filter.queues.empty()) filter["queue"] = w.filter.queues;
  if (!w.filter.pipelines.empty()) filter["pipeline"] = w.filter.pipelines;
  return Json{
      {"id", w.id},
      {"url", w.url},
      {"description", w.description},
      {"filter", filter},
      {"retry",
       {{"max_attempts", w.retry.max_attempts}, {"initial_delay_ms", w.retry.initial_delay_ms}}},
      {"created_at", schedule::FormatUtc(w.created_at)},
      {"cursor", w.cursor}};
}

Json DeliveryJson(const core::WebhookDelivery& d) {
  return Json{
      {"event_id", d.event_id},
      {"attempt", d.attempt},
      {"at", schedule::FormatUtc(d.at)},
      {"outcome", std::string(core::Name(d.outcome))},
      {"http_status", d.http_status == 0 ? Json(nullptr) : Json(d.http_status)},
      {"duration_ms", d.duration_ms},
      {"error", d.error},
      {"next_attempt_at", d.next_attempt_at > 0 ? Json(schedule::FormatUtc(d.next_attempt_at)) : Json(nullptr)}};
}

// The filter object: each member a string (a comma-separated list) or a list of strings.
Result<core::EventFilter> ReadFilter(const Json* filter) {
  std::vector<std::pair<std::string, std::string>> params;
  if (filter) {
    for (const auto& [key, value] : filter->items()) {
      if (key != "type" && key != "status" && key != "queue" && key != "pipeline") {
        return Status::InvalidArgument("filter." + key +
                                       ": unknown member (type, status, queue, pipeline)");
      }
      if (value.is_string()) {
        params.emplace_back(key, value.get<std::string>());
        continue;
      }
      if (!value.is_array())
        return Status::InvalidArgument("filter." + key + " must be a string or a list of strings");
      for (const Json& item : value) {
        if (!item.is_string())
          return Status::InvalidArgument("filter." + key + " must hold strings");
        params.emplace_back(key, item.get<std::string>());
      }
    }
  }
  Result<core::EventFilter> parsed = core::ParseEventFilter(params);
  if (!parsed.ok()) return Status::InvalidArgument("filter." + parsed.status().message());
  return parsed;
}

}  // namespace

WebhooksApi::WebhooksApi(engine::Engine& engine) : engine_(engine) {
  boost::asio::io_context& loop = engine.io_context();
  webhooks::Dispatcher::Hooks hooks;
  hooks.fetch = [this, &loop](uint64_t after, int limit,
                              std::function<void(std::vector<core::Event>)> reply) {
    boost::asio::post(loop, [this, after, limit, reply = std::move(reply)] {
      Result<std::vector<core::Event>> events = engine_.ListEvents(after, limit);
      reply(events.ok() ? std::move(*events) : std::vector<core::Event>{});
    });
  };
  hooks.record = [this, &loop](const core::WebhookDelivery& d, std::optional<uint64_t> cursor) {
    boost::asio::post(loop, [this, d, cursor] { engine_.RecordDelivery(d, cursor); });
  };
  dispatcher_ = std::make_unique<webhooks::Dispatcher>(engine.clock(), std::move(hooks),
                                                       webhooks::Dispatcher::Options{});
  for (const auto& [id, w] : engine_.webhooks()) dispatcher_->Upsert(w);
  listener_ = engine_.AddEventListener(
      [this](const engine::Engine::EventBatch& batch) { dispatcher_->OnCommitted(batch); });
}

WebhooksApi::~WebhooksApi() {
  engine_.RemoveEventListener(listener_);
  dispatcher_.reset();
}

std::span<const Route<WebhooksApi>> WebhooksApi::Routes() {
  static constexpr Route<WebhooksApi> kRoutes[] = {
      {.spec = {.method = "POST",
                .path = "/api/v1/webhooks",
                .operation_id = "createWebhook",
                .access = auth::Access::kAdmin,
                .summary =
                    "Subscribe a URL to events; each is POSTed as an Event with an HMAC signature",
                .request = R"({"$ref": "#/components/schemas/WebhookSpec"})",
                .response = kWebhookRef},
       .json = &WebhooksApi::Create},
      {.spec = {.method = "GET",
                .path = "/api/v1/webhooks",
                .operation_id = "listWebhooks",
                .access = auth::Access::kAdmin,
                .summary = "Every webhook subscription (secrets are never shown)",
                .response = R"({"type": "object", "required": ["webhooks"], "properties": {
            "webhooks": {"type": "array", "items": {"$ref": "#/components/schemas/Webhook"}}}})"},
       .json = &WebhooksApi::List},
      {.spec = {.method = "GET",
                .path = "/api/v1/webhooks/{id}",
                .operation_id = "getWebhook",
                .access = auth::Access::kAdmin,
                .summary = "A webhook subscription, with the last event it is done with",
                .response = kWebhookRef},
       .json = &WebhooksApi::Get},
      {.spec = {.method = "DELETE",
                .path = "/api/v1/webhooks/{id}",
                .operation_id = "deleteWebhook",
                .access = auth::Access::kAdmin,
                .summary = "Unsubscribe; answers the subscription as it was",
                .response = kWebhookRef},
       .json = &WebhooksApi::Delete},
      {.spec = {.method = "GET",
                .path = "/api/v1/webhooks/{id}/deliveries",
                .operation_id = "listDeliveries",
                .access = auth::Access::kAdmin,
                .summary = "A webhook's delivery attempts, newest first (the last 1,000 are kept)",
                .parameters = R"([{"$ref": "#/components/parameters/limit"}])",
                .response = R"({"type": "object", "required": ["deliveries"], "properties": {
            "deliveries": {"type": "array", "items": {"$ref": "#/components/schemas/Delivery"}}}})"},
       .json = &WebhooksApi::Deliveries},
  };
  return kRoutes;
}

bool WebhooksApi::Handle(const HttpRequest& request, const Respond& respond) {
  return Serve(*this, Routes(), {engine_, AwsService::kScheduler}, request, respond);
}

Result<Json> WebhooksApi::List(const RouteCall& call) {
  Json list = Json::array();
  for (const auto& [id, w] : engine_.webhooks()) list.push_back(WebhookJson(w));
  return Json{{"webhooks", list}};
}

Result<Json> WebhooksApi::Deliveries(const RouteCall& call) {
  const std::string limit_text = QueryValue(call.request, "limit");
  const int limit =
      limit_text.empty() ? 100 : std::clamp(std::atoi(limit_text.c_str()), 1, kMaxDeliveryPage);
  Result<std::vector<core::WebhookDelivery>> log = engine_.ListDeliveries(call.Param("id"), limit);
  if (!log.ok()) return log.status();
  Json list = Json::array();
  for (const core::WebhookDelivery& d : *log) list.push_back(DeliveryJson(d));
  return Json{{"deliveries", list}};
}

Result<Json> WebhooksApi::Get(const RouteCall& call) {
  Result<const core::WebhookSubscription*> found = Find(call.Param("id"));
  if (!found.ok()) return found.status();
  return WebhookJson(**found);
}

Result<Json> WebhooksApi::Delete(const RouteCall& call) {
  const std::string& id = call.Param("id");
  Result<const core::WebhookSubscription*> found = Find(id);
  if (!found.ok()) return found.status();
  Json deleted = WebhookJson(**found);
  NS_RETURN_IF_ERROR(engine_.DeleteWebhook(id));
  dispatcher_->Remove(id);
  return deleted;
}

Result<const core::WebhookSubscription*> WebhooksApi::Find(const std::string& id) const {
  auto found = engine_.webhooks().find(id);
  if (found == engine_.webhooks().end())
    return Status::NotFound("webhook " + id + " does not exist");
  return &found->second;
}

Result<Json> WebhooksApi::Create(const RouteCall& call) {
  Result<Json> body = ParseBody(call.request.body);
  if (!body.ok()) return body.status();
  JsonReader r(*body, "");
  core::WebhookSubscription w;
  w.url = r.String("url", true).value_or("");
  w.secret = r.String("secret", true).value_or("");
  w.description = r.String("description").value_or("");
  Result<core::EventFilter> filter = ReadFilter(r.Object("filter"));
  if (const Json* retry = r.Object("retry")) {
    JsonReader rr(*retry, "retry");
    w.retry.max_attempts =
        static_cast<int>(rr.Int("max_attempts", false, 1, 20).value_or(w.retry.max_attempts));
    w.retry.initial_delay_ms = rr.Int("initial_delay_ms", false, 100, w.retry.max_delay_ms)
                                   .value_or(w.retry.initial_delay_ms);
    if (Status st = rr.Finish(); !st.ok()) r.Fail(st);
  }
  NS_RETURN_IF_ERROR(r.Finish());
  if (!filter.ok()) return filter.status();
  w.filter = *filter;
  if (w.secret.empty()) return Status::InvalidArgument("secret must not be empty");
  Result<webhooks::HttpUrl> url = webhooks::ParseHttpUrl(w.url);
  if (!url.ok()) return url.status();
  Result<core::WebhookSubscription> created = engine_.CreateWebhook(std::move(w));
  if (!created.ok()) return created.status();
  dispatcher_->Upsert(*created);
  return WebhookJson(*created);
}

}  // namespace nightshift::api
