// libFuzzer target: arbitrary bytes as the JSON body of an API operation, served by the real
// router and engine (router_harness.h: SQLite store in a temp dir, fake executor, no socket).
// The first byte picks the operation: an AWS-compatible one (Batch, EventBridge Scheduler,
// CloudWatch Logs; aws_operations.h) or a native route that takes a body; the rest is the body.
// Path placeholders are filled with "fz" (the seeded job definition's name). Invariants: those
// of RouterHarness::Send — answered once, never 5xx, JSON answers parse, errors are named.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "api/aws_operations.h"
#include "api/logs_api.h"
#include "router_harness.h"

namespace nightshift::fuzz {
namespace {

struct Target {
  std::string method;
  std::string path;
  std::string amz_target;  // CloudWatch Logs names its operation in X-Amz-Target
};

std::string FillPlaceholders(std::string_view pattern) {
  std::string path;
  for (const std::string& segment : api::SplitPath(std::string(pattern))) {
    path += "/" + (segment.front() == '{' ? std::string("fz") : segment);
  }
  return path.empty() ? "/" : path;
}

std::vector<Target> Targets() {
  std::vector<Target> targets;
  for (const api::AwsOperation& op : api::AwsOperations()) {
    Target t{std::string(op.method), FillPlaceholders(op.path), ""};
    if (op.service == api::AwsService::kLogs) t.amz_target = std::string(api::kLogsTargetPrefix) + std::string(op.name);
    targets.push_back(std::move(t));
  }
  for (const api::RouteSpec& route : api::Router::NativeRoutes()) {
    if (route.method == "GET" || route.method == "DELETE") continue;  // they take no body
    targets.push_back({std::string(route.method), FillPlaceholders(route.path), ""});
  }
  return targets;
}

}  // namespace
}  // namespace nightshift::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace nightshift;
  static fuzz::RouterHarness harness;
  static const std::vector<fuzz::Target> targets = fuzz::Targets();
  if (size == 0) return 0;
  const fuzz::Target& target = targets[data[0] % targets.size()];
  api::HttpRequest request;
  request.method = target.method;
  request.path = target.path;
  request.headers["content-type"] = "application/json";
  if (!target.amz_target.empty()) request.headers["x-amz-target"] = target.amz_target;
  request.body.assign(reinterpret_cast<const char*>(data) + 1, size - 1);
  request.remote_address = "127.0.0.1";
  harness.Send(std::move(request));
  return 0;
}
