// Calls of the server's AWS Batch API (POST /v1/<operation>) for the CLI's batch verbs: one call,
// every page of a listing, one job by ID.
// Thread-safety: none; one per command.
#pragma once

#include <string>
#include <string_view>

#include "cli/client.h"
#include "cli/output.h"

#include "cli/command.h"

namespace nightshift::cli {

// `operation` is the lower-case name in the path: "describejobs".
Result<Json> CallBatch(const ClientOptions& client, std::string_view operation, const Json& body);

// Every page of a Describe* listing, following nextToken: one answer whose `list_key` holds all.
Result<Json> CallBatchAllPages(const ClientOptions& client, std::string_view operation, Json body,
                               const std::string& list_key);

// One call with its answer printed; returns the verb's exit code.
int CallBatchAndPrint(const ClientOptions& client, std::string_view operation, const Json& body,
                      const TablePrinter& table);

// The one item a Describe* call finds for `name` (`request_key`: [name]); kNotFound, naming it
// as `what`, when there is none.
Result<Json> DescribeOne(const ClientOptions& client, std::string_view operation, const std::string& request_key,
                         const std::string& list_key, const std::string& name, const std::string& what);

// A verb that takes one NAME argument and sends {request_key: NAME} to `operation`, then prints
// "<done> NAME": `ce delete`, `queue delete`, `jobdef deregister`.
Command NamedBatchVerb(const std::string& verb, const std::string& help, const std::string& argument_help,
                       const std::string& operation, const std::string& request_key, const std::string& done);

// `list`: every page of a Describe* operation, printed by `table` (given the whole answer).
Command ListBatchVerb(const std::string& help, const std::string& operation, const std::string& list_key,
                      const TablePrinter& table);

// `show NAME`: the one item a Describe* operation finds (DescribeOne); JSON prints the item, the
// table is `table` given {list_key: [item]}.
Command ShowBatchVerb(const std::string& help, const std::string& argument_help, const std::string& operation,
                      const std::string& list_key, const std::string& what, const TablePrinter& table);

// DescribeJobs of one job: its JobDetail. kNotFound when the server has no such job.
Result<Json> DescribeJob(const ClientOptions& client, const std::string& job_id);

// --run-as USER of `ce create` and `queue create`: the unix user the resource's jobs run as,
// sent as its tag core::kRunAsTag (so that AWS clients can set it too).
void AddRunAsFlag(CLI::App& app, std::string& user);
void PutRunAs(Json& body, const std::string& user);

}  // namespace nightshift::cli
