// LogsApi: the CloudWatch Logs json-1.1 operations nightshift serves for job output
// (POST / with X-Amz-Target: Logs_20140328.<Operation>): GetLogEvents on log group
// /aws/batch/job, whose streams are the logStreamName values DescribeJobs reports.
// Thread-safety: runs on the engine's loop thread.
#pragma once

#include "api/http_types.h"
#include "engine/engine.h"

namespace nightshift::api {

inline constexpr char kBatchLogGroup[] = "/aws/batch/job";
// X-Amz-Target of every Logs call: the prefix, then the operation's name.
inline constexpr char kLogsTargetPrefix[] = "Logs_20140328.";

class LogsApi {
 public:
  explicit LogsApi(engine::Engine& engine) : engine_(engine) {}

  // True if the request is a CloudWatch Logs call (then `respond` is called).
  bool Handle(const HttpRequest& request, const Respond& respond);

 private:
  HttpResponse GetLogEvents(const std::string& body);

  engine::Engine& engine_;
};

}  // namespace nightshift::api
