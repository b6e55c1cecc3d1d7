#include "api/openapi_components.h"

namespace nightshift::api {
namespace {

constexpr std::string_view kComponents = R"json({
"parameters": {
  "group": {"name": "group", "in": "query", "schema": {"type": "string", "default": "default"},
            "description": "the schedule group (a pipeline's schedule is in group pipelines)"},
  "limit": {"name": "limit", "in": "query",
            "schema": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 100},
            "description": "at most this many items"},
  "next_token": {"name": "next_token", "in": "query", "schema": {"type": "string"},
                 "description": "the next_token of the previous page"}
},
"schemas": {
  "Error": {"type": "object", "required": ["__type", "message"], "properties": {
    "__type": {"type": "string", "example": "ValidationException"},
    "message": {"type": "string"},
    "problems": {"type": "array", "description": "an invalid pipeline file's problems",
      "items": {"type": "object", "required": ["line", "column", "message"], "properties": {
        "line": {"type": "integer"}, "column": {"type": "integer"},
        "message": {"type": "string"}}}}}},
  "Time": {"type": "string", "format": "date-time", "nullable": true},
  "OverlapPolicy": {"type": "string", "enum": ["skip", "buffer_one", "buffer_all",
    "cancel_other", "terminate_other", "allow_all"]},
  "Pipeline": {"type": "object",
    "required": ["name", "version", "description", "created_at", "base_dir", "step_count",
                 "schedule", "recent_runs"],
    "properties": {
      "name": {"type": "string"}, "version": {"type": "integer"},
      "description": {"type": "string"}, "created_at": {"$ref": "#/components/schemas/Time"},
      "base_dir": {"type": "string"}, "step_count": {"type": "integer"},
      "schedule": {"type": "object", "nullable": true, "properties": {
        "expression": {"type": "string"}, "timezone": {"type": "string"},
        "state": {"type": "string"}, "next_due": {"$ref": "#/components/schemas/Time"}}},
      "recent_runs": {"type": "array", "items": {"type": "object",
        "required": ["id", "state", "logical_date"], "properties": {
          "id": {"type": "string"}, "state": {"type": "string"},
          "logical_date": {"$ref": "#/components/schemas/Time"}}}},
      "source": {"type": "string", "description": "the file's text (one pipeline only)"},
      "steps": {"type": "array", "description": "one pipeline only", "items": {"type": "object",
        "required": ["name", "depends_on"], "properties": {
          "name": {"type": "string"}, "command": {"type": "array", "items": {"type": "string"}},
          "definition": {"type": "string"}, "image": {"type": "string"}, "array": {"type": "integer"},
          "depends_on": {"type": "array", "items": {"type": "object", "properties": {
            "step": {"type": "string"},
            "condition": {"type": "string", "enum": ["success", "failure", "completion"]}}}}}}}}},
  "Step": {"type": "object",
    "required": ["name", "state", "reason", "job_id", "tries", "exit_code"],
    "properties": {
      "name": {"type": "string"},
      "state": {"type": "string",
                "enum": ["PENDING", "RUNNING", "SUCCEEDED", "FAILED", "SKIPPED", "CANCELLED"]},
      "reason": {"type": "string"}, "job_id": {"type": "string", "nullable": true},
      "tries": {"type": "integer"},
      "submitted_at": {"$ref": "#/components/schemas/Time"},
      "started_at": {"$ref": "#/components/schemas/Time"},
      "stopped_at": {"$ref": "#/components/schemas/Time"},
      "exit_code": {"type": "integer", "nullable": true},
      "duration_ms": {"type": "integer"}}},
  "Run": {"type": "object",
    "required": ["id", "pipeline", "version", "state", "reason", "trigger", "logical_date",
                 "params", "created_at", "stopped_at", "tries", "steps"],
    "properties": {
      "id": {"type": "string"}, "pipeline": {"type": "string"}, "version": {"type": "integer"},
      "state": {"type": "string", "enum": ["RUNNING", "SUCCEEDED", "FAILED", "CANCELLED"]},
      "reason": {"type": "string"}, "trigger": {"type": "string"},
      "logical_date": {"$ref": "#/components/schemas/Time"},
      "params": {"type": "object", "additionalProperties": {"type": "string"}},
      "created_at": {"$ref": "#/components/schemas/Time"},
      "stopped_at": {"$ref": "#/components/schemas/Time"},
      "tries": {"type": "integer"},
      "steps": {"type": "array", "items": {"$ref": "#/components/schemas/Step"}}}},
  "ScheduleSpec": {"type": "object", "required": ["expression", "submit_job"], "properties": {
    "name": {"type": "string", "description": "required to create"},
    "group": {"type": "string"},
    "expression": {"type": "string", "example": "cron(0 2 * * ? *)"},
    "timezone": {"type": "string", "default": "UTC"},
    "description": {"type": "string"},
    "start": {"type": "string", "format": "date-time"},
    "end": {"type": "string", "format": "date-time"},
    "flexible_window_minutes": {"type": "integer", "minimum": 0, "maximum": 1440},
    "max_active_runs": {"type": "integer", "minimum": 1, "maximum": 1000},
    "state": {"type": "string", "enum": ["ENABLED", "DISABLED"]},
    "note": {"type": "string"},
    "overlap": {"$ref": "#/components/schemas/OverlapPolicy"},
    "after_completion": {"type": "string", "enum": ["NONE", "DELETE"]},
    "dst": {"type": "object", "properties": {
      "gap": {"type": "string", "enum": ["shift", "skip"]},
      "repeat": {"type": "string", "enum": ["first", "last", "both"]}}},
    "catch_up": {"type": "object", "properties": {
      "policy": {"type": "string", "enum": ["none", "latest", "all"]},
      "window_seconds": {"type": "integer", "minimum": 1}}},
    "submit_job": {"type": "object", "description": "a SubmitJob request body (AWS Batch)"}}},
  "Schedule": {"type": "object",
    "required": ["name", "group", "arn", "expression", "timezone", "dst", "state", "note",
                 "overlap", "max_active_runs", "catch_up", "after_completion", "created_at",
                 "modified_at", "start", "end", "target", "next_fires", "next_due",
                 "active_runs", "buffered"],
    "properties": {
      "name": {"type": "string"}, "group": {"type": "string"}, "arn": {"type": "string"},
      "description": {"type": "string"}, "expression": {"type": "string"},
      "timezone": {"type": "string"},
      "dst": {"type": "object", "properties": {
        "gap": {"type": "string"}, "repeat": {"type": "string"}}},
      "state": {"type": "string", "enum": ["ENABLED", "DISABLED"]},
      "note": {"type": "string"}, "flexible_window_minutes": {"type": "integer"},
      "overlap": {"$ref": "#/components/schemas/OverlapPolicy"},
      "max_active_runs": {"type": "integer"},
      "catch_up": {"type": "object", "properties": {
        "policy": {"type": "string"}, "window_seconds": {"type": "integer"}}},
      "after_completion": {"type": "string"},
      "created_at": {"$ref": "#/components/schemas/Time"},
      "modified_at": {"$ref": "#/components/schemas/Time"},
      "start": {"$ref": "#/components/schemas/Time"},
      "end": {"$ref": "#/components/schemas/Time"},
      "target": {"type": "object", "required": ["arn", "input"], "properties": {
        "arn": {"type": "string"}, "input": {}}},
      "next_fires": {"type": "array", "items": {"type": "string", "format": "date-time"}},
      "next_due": {"$ref": "#/components/schemas/Time"},
      "active_runs": {"type": "integer"},
      "buffered": {"type": "array", "items": {"type": "object", "properties": {
        "logical_time": {"type": "string"}, "trigger": {"type": "string"}}}}}},
  "Fire": {"type": "object",
    "required": ["logical_time", "trigger", "outcome", "reason", "due_time", "decided_at",
                 "lateness_ms"],
    "properties": {
      "logical_time": {"type": "string", "format": "date-time"},
      "trigger": {"type": "string", "enum": ["schedule", "manual", "backfill"]},
      "outcome": {"type": "string",
                  "enum": ["started", "skipped", "merged", "buffered", "failed"]},
      "reason": {"type": "string"},
      "due_time": {"type": "string", "format": "date-time"},
      "decided_at": {"type": "string", "format": "date-time"},
      "lateness_ms": {"type": "integer"},
      "job_id": {"type": "string", "description": "the job or run started"},
      "count": {"type": "integer", "description": "fires decided alike, when more than one"},
      "last_logical_time": {"type": "string", "format": "date-time"}}},
  "Why": {"type": "object", "required": ["jobId", "jobName", "status", "summary", "facts"],
    "properties": {
      "jobId": {"type": "string"}, "jobName": {"type": "string"}, "status": {"type": "string"},
      "summary": {"type": "string"},
      "facts": {"type": "array", "items": {"type": "object", "required": ["kind", "text"],
        "properties": {
          "kind": {"type": "string", "enum": ["dependency", "array", "backoff", "capacity",
            "compute_environment", "queue", "attempt", "timeout", "cause"]},
          "text": {"type": "string"}}}}}},
  "Job": {"type": "object", "description":
    "a job state change: AWS Batch's JobDetail, as EventBridge's Batch Job State Change",
    "required": ["jobArn", "jobName", "jobId", "jobQueue", "status", "previousStatus",
                 "statusReason", "attempt"],
    "properties": {
      "jobArn": {"type": "string"}, "jobName": {"type": "string"}, "jobId": {"type": "string"},
      "jobQueue": {"type": "string"},
      "status": {"type": "string", "enum": ["SUBMITTED", "PENDING", "RUNNABLE", "STARTING",
                                            "RUNNING", "SUCCEEDED", "FAILED"]},
      "previousStatus": {"type": "string", "nullable": true},
      "statusReason": {"type": "string"}, "attempt": {"type": "integer"},
      "attempts": {"type": "array", "items": {"type": "object"}},
      "createdAt": {"type": "integer"}, "startedAt": {"type": "integer"},
      "stoppedAt": {"type": "integer"},
      "dependsOn": {"type": "array", "items": {"type": "object"}},
      "jobDefinition": {"type": "string"}, "parameters": {"type": "object"},
      "tags": {"type": "object"}, "container": {"type": "object"},
      "arrayProperties": {"type": "object"}, "computeEnvironment": {"type": "string"},
      "pipeline": {"type": "string"}, "runId": {"type": "string"}, "step": {"type": "string"}}},
  "Event": {"type": "object", "description":
    "an event of the stream and of webhook deliveries, in EventBridge's envelope",
    "required": ["id", "type", "detail-type", "source", "time", "region", "account",
                 "resources", "detail"],
    "properties": {
      "id": {"type": "integer", "description": "only grows"},
      "type": {"type": "string", "enum": ["job", "run", "schedule"]},
      "detail-type": {"type": "string", "enum": ["Batch Job State Change",
        "Pipeline Run State Change", "Schedule Fire", "Schedule State Change"]},
      "source": {"type": "string"}, "time": {"type": "string", "format": "date-time"},
      "region": {"type": "string"}, "account": {"type": "string"},
      "resources": {"type": "array", "items": {"type": "string"}},
      "detail": {"description": "a Job for type job; a run or schedule change otherwise",
        "anyOf": [{"$ref": "#/components/schemas/Job"}, {"type": "object"}]}}},
  "WebhookSpec": {"type": "object", "required": ["url", "secret"], "properties": {
    "url": {"type": "string", "description": "http:// only"},
    "secret": {"type": "string", "description": "the HMAC key; never shown again"},
    "description": {"type": "string"},
    "filter": {"type": "object", "description": "each a string (comma-separated) or a list",
      "properties": {"type": {}, "status": {}, "queue": {}, "pipeline": {}}},
    "retry": {"type": "object", "properties": {
      "max_attempts": {"type": "integer", "minimum": 1, "maximum": 20},
      "initial_delay_ms": {"type": "integer", "minimum": 100}}}}},
  "Webhook": {"type": "object",
    "required": ["id", "url", "description", "filter", "retry", "created_at", "cursor"],
    "properties": {
      "id": {"type": "string"}, "url": {"type": "string"}, "description": {"type": "string"},
      "filter": {"type": "object", "additionalProperties": {"type": "array",
        "items": {"type": "string"}}},
      "retry": {"type": "object", "properties": {
        "max_attempts": {"type": "integer"}, "initial_delay_ms": {"type": "integer"}}},
      "created_at": {"$ref": "#/components/schemas/Time"},
      "cursor": {"type": "integer", "description": "the last event it is done with"}}},
  "Delivery": {"type": "object",
    "required": ["event_id", "attempt", "at", "outcome", "http_status", "duration_ms", "error",
                 "next_attempt_at"],
    "properties": {
      "event_id": {"type": "integer"}, "attempt": {"type": "integer"},
      "at": {"$ref": "#/components/schemas/Time"},
      "outcome": {"type": "string", "enum": ["delivered", "retrying", "gave_up"]},
      "http_status": {"type": "integer", "nullable": true},
      "duration_ms": {"type": "integer"}, "error": {"type": "string"},
      "next_attempt_at": {"$ref": "#/components/schemas/Time"}}},
  "Token": {"type": "object",
    "required": ["id", "name", "role", "state", "created_at", "expires_at", "last_used_at", "revoked_at"],
    "properties": {
      "id": {"type": "string", "description": "names the token in lists and in the audit log (token:ID)"},
      "name": {"type": "string"},
      "role": {"type": "string", "enum": ["viewer", "operator", "admin"]},
      "state": {"type": "string", "enum": ["active", "expired", "revoked"]},
      "created_at": {"$ref": "#/components/schemas/Time"},
      "expires_at": {"$ref": "#/components/schemas/Time"},
      "last_used_at": {"$ref": "#/components/schemas/Time"},
      "revoked_at": {"$ref": "#/components/schemas/Time"},
      "token": {"type": "string", "description": "the secret token: only in the answer that creates it"}}},
  "AuditRecord": {"type": "object",
    "required": ["seq", "at", "actor", "role", "operation", "resource", "source", "status", "error"],
    "properties": {
      "seq": {"type": "integer"}, "at": {"$ref": "#/components/schemas/Time"},
      "actor": {"type": "string", "description": "an access key id, token:ID, or anonymous"},
      "role": {"type": "string", "description": "empty when the caller was not authenticated"},
      "operation": {"type": "string", "example": "batch:SubmitJob"},
      "resource": {"type": "string"}, "source": {"type": "string", "description": "the client's IP address"},
      "status": {"type": "integer"},
      "error": {"type": "string", "description": "the error's type; empty on success"}}}
}
})json";

}  // namespace

std::string_view OpenApiComponents() { return kComponents; }

}  // namespace nightshift::api
