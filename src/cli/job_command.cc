// `nightshift job ...`: jobs through the server's AWS Batch API (SubmitJob, ListJobs,
// DescribeJobs, CancelJob, TerminateJob).
#include <CLI/CLI.hpp>

#include <iostream>
#include <memory>

#include "cli/batch_call.h"
#include "cli/batch_requests.h"
#include "cli/command.h"
#include "cli/table.h"

namespace nightshift::cli {
namespace {

std::string ArnName(const Json& arn) {
  const std::string text = Text(arn);
  return text.substr(text.rfind('/') + 1);
}

std::string ExitText(const Json& job) {
  return job.contains("container") ? Text(job["container"].value("exitCode", Json())) : "-";
}

std::string NameText(const Json& job) {
  std::string name = Text(job["jobName"]);
  if (job.contains("arrayProperties") && job["arrayProperties"].contains("size")) {
    name += " [array of " + Text(job["arrayProperties"]["size"]) + "]";
  }
  return name;
}

void PrintJobs(const Json& answer) {
  std::vector<Row> rows;
  for (const Json& job : answer["jobSummaryList"]) {
    rows.push_back({Text(job["jobId"]), NameText(job), Text(job["status"]), TimeText(job.value("createdAt", Json())),
                    DurationText(job.value("startedAt", Json()), job.value("stoppedAt", Json())), ExitText(job),
                    Text(job.value("statusReason", Json()))});
  }
  PrintTable(std::cout, {"JOB ID", "NAME", "STATUS", "CREATED", "DURATION", "EXIT", "REASON"}, rows);
  if (answer.contains("nextToken")) std::cout << "\nmore jobs: add --next-token " << Text(answer["nextToken"]) << "\n";
}

void PrintJob(const Json& job) {
  std::vector<Row> facts = {{"job", Text(job["jobId"]) + " (" + NameText(job) + ")"},
                            {"status", Text(job["status"])},
                            {"reason", Text(job.value("statusReason", Json()))},
                            {"queue", ArnName(job["jobQueue"])},
                            {"definition", ArnName(job["jobDefinition"])},
                            {"created", TimeText(job.value("createdAt", Json()))},
                            {"started", TimeText(job.value("startedAt", Json()))},
                            {"stopped", TimeText(job.value("stoppedAt", Json()))},
                            {"exit code", ExitText(job)}};
  for (const Json& dep : job["dependsOn"]) {
    facts.push_back({"depends on", Text(dep.value("jobId", Json("(array order)"))) + " " + Text(dep.value("type", Json("afterok")))});
  }
  if (job.contains("arrayProperties") && job["arrayProperties"].contains("statusSummary")) {
    std::string summary;
    for (const auto& [state, count] : job["arrayProperties"]["statusSummary"].items()) {
      if (count.get<int64_t>() > 0) summary += (summary.empty() ? "" : ", ") + state + " " + count.dump();
    }
    facts.push_back({"children", summary.empty() ? "-" : summary});
  }
  PrintTable(std::cout, {"", ""}, facts);
  if (job["attempts"].empty()) return;
  std::vector<Row> attempts;
  for (size_t i = 0; i < job["attempts"].size(); ++i) {
    const Json& a = job["attempts"][i];
    attempts.push_back({std::to_string(i + 1), TimeText(a.value("startedAt", Json())),
                        DurationText(a.value("startedAt", Json()), a.value("stoppedAt", Json())),
                        Text(a["container"].value("exitCode", Json())), Text(a.value("statusReason", Json())),
                        Text(a["container"].value("logStreamName", Json()))});
  }
  std::cout << "\n";
  PrintTable(std::cout, {"ATTEMPT", "STARTED", "DURATION", "EXIT", "REASON", "LOG STREAM"}, attempts);
}

Command SubmitVerb() {
  return {"submit", "Submit a job (with dependencies, as an array, with overrides)",
          [](CLI::App& app) -> std::function<int()> {
            auto f = std::make_shared<JobFlags>();
            auto client = std::make_shared<ClientOptions>();
            auto quiet = std::make_shared<bool>(false);
            app.add_option("--definition,-d", f->definition, "Job definition: NAME, NAME:REVISION or ARN")->required();
            app.add_option("--queue,-q", f->queue, "Job queue")->capture_default_str();
            app.add_option("--name,-n", f->name, "Job name (default: the definition's name)");
            AddContainerFlags(app, f->container);
            app.add_option("--depends-on", f->depends_on,
                           "ID[:TYPE]: wait for this job; TYPE afterok (default), afterany, afternotok, aftercorr, "
                           "N_TO_N or SEQUENTIAL (repeatable)")
                ->allow_extra_args(false);
            app.add_option("--array-size", f->array_size, "Run as an array job of N children (2-100000)");
            app.add_option("--parameter,-p", f->parameters, "Value for a Ref::KEY placeholder, KEY=VALUE (repeatable)")
                ->allow_extra_args(false);
            app.add_option("--timeout", f->timeout_seconds, "Seconds an attempt may run");
            app.add_option("--retry-attempts", f->retry_attempts, "Attempts in all (1-10)");
            app.add_flag("--quiet", *quiet, "Print only the job ID");
            AddClientFlags(app, *client);
            return [f, client, quiet] {
              Result<Json> body = SubmitJobBody(*f);
              if (!body.ok()) return ReportError(body.status());
              return CallBatchAndPrint(*client, "submitjob", *body, [quiet](const Json& a) {
                if (*quiet) {
                  std::cout << Text(a["jobId"]) << "\n";
                } else {
                  std::cout << "submitted job " << Text(a["jobId"]) << " (" << Text(a["jobName"]) << ")\n";
                }
              });
            };
          }};
}

struct ListFlags {
  ClientOptions client;
  std::string queue = "default";
  std::string status = "all";
  std::string name;
  std::string array_parent;
  int limit = 50;
  std::string next_token;
};

Json ListJobsBody(const ListFlags& f) {
  Json body{{"maxResults", f.limit}};
  if (!f.array_parent.empty()) {
    body["arrayJobId"] = f.array_parent;
  } else {
    body["jobQueue"] = f.queue;
  }
  if (!f.next_token.empty()) body["nextToken"] = f.next_token;
  if (!f.name.empty()) {
    body["filters"] = {{{"name", "JOB_NAME"}, {"values", {f.name}}}};
  } else if (f.status == "all") {
    // A filter makes ListJobs return every status; every job was created after the epoch.
    body["filters"] = {{{"name", "AFTER_CREATED_AT"}, {"values", {"0"}}}};
  } else {
    body["jobStatus"] = f.status;
  }
  return body;
}

Command JobListVerb() {
  return {"list", "List jobs, newest first", [](CLI::App& app) -> std::function<int()> {
            auto f = std::make_shared<ListFlags>();
            app.add_option("--queue,-q", f->queue, "Job queue")->capture_default_str();
            app.add_option("--status,-s", f->status, "Only jobs in this state, or all")
                ->check(CLI::IsMember({"all", "SUBMITTED", "PENDING", "RUNNABLE", "STARTING", "RUNNING", "SUCCEEDED",
                                       "FAILED"}))
                ->capture_default_str();
            app.add_option("--name,-n", f->name, "Job name, case-insensitive; NAME* matches a prefix");
            app.add_option("--array-parent", f->array_parent, "The children of this array job (instead of a queue)");
            app.add_option("--limit", f->limit, "Jobs per page (1-1000)")->capture_default_str();
            app.add_option("--next-token", f->next_token, "The next page, as the previous page said");
            AddClientFlags(app, f->client);
            return [f] {
              Result<Json> page = CallBatch(f->client, "listjobs", ListJobsBody(*f));
              if (!page.ok()) return ReportError(page.status());
              if (!f->name.empty() && f->status != "all") {  // a name filter returns every status
                Json& list = (*page)["jobSummaryList"];
                list.erase(std::remove_if(list.begin(), list.end(), [&](const Json& j) { return j["status"] != f->status; }),
                           list.end());
              }
              Print(f->client, *page, PrintJobs);
              return 0;
            };
          }};
}

Command JobShowVerb() {
  return {"show", "Show a job: state, reason, dependencies, attempts", [](CLI::App& app) -> std::function<int()> {
            auto id = std::make_shared<std::string>();
            auto client = std::make_shared<ClientOptions>();
            app.add_option("job_id", *id, "Job ID")->required();
            AddClientFlags(app, *client);
            return [id, client] {
              Result<Json> job = DescribeJob(*client, *id);
              if (!job.ok()) return ReportError(job.status());
              Print(*client, *job, PrintJob);
              return 0;
            };
          }};
}

Command StopVerb(const std::string& verb, const std::string& help) {
  return {verb, help, [verb](CLI::App& app) -> std::function<int()> {
            auto id = std::make_shared<std::string>();
            auto reason = std::make_shared<std::string>("stopped with nightshift job " + verb);
            auto client = std::make_shared<ClientOptions>();
            app.add_option("job_id", *id, "Job ID")->required();
            app.add_option("--reason,-r", *reason, "Why (recorded as the job's status reason)")->capture_default_str();
            AddClientFlags(app, *client);
            return [id, reason, client, verb] {
              Result<Json> job = DescribeJob(*client, *id);  // CancelJob is silent about unknown jobs
              if (!job.ok()) return ReportError(job.status());
              Result<Json> done = CallBatch(*client, verb + "job", {{"jobId", *id}, {"reason", *reason}});
              if (!done.ok()) return ReportError(done.status());
              const std::string status = Text((*job)["status"]);
              if (verb == "cancel" && (status == "STARTING" || status == "RUNNING")) {
                std::cerr << "nightshift: job " << *id << " is " << status
                          << ": cancel does not stop a started job; use nightshift job terminate\n";
              }
              Print(*client, *done, [&](const Json&) { std::cout << verb << " requested for job " << *id << "\n"; });
              return 0;
            };
          }};
}

}  // namespace

Command JobCommand() {
  return {.name = "job",
          .help = "Jobs: submit, list, show, cancel, terminate",
          .verbs = {SubmitVerb(), JobListVerb(), JobShowVerb(),
                    StopVerb("cancel", "Cancel a job that has not started (a started job keeps running)"),
                    StopVerb("terminate", "Terminate a job, running or not (SIGTERM, then SIGKILL)")}};
}

}  // namespace nightshift::cli
