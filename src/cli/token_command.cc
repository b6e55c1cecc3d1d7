// `nightshift token ...` and `nightshift audit`: API tokens (create, list, revoke) and the audit
// log, through the server's native API (/api/v1/tokens, /api/v1/audit). Both need an admin.
#include <CLI/CLI.hpp>

#include <iostream>
#include <memory>

#include "auth/api_token.h"
#include "cli/client.h"
#include "cli/command.h"
#include "cli/output.h"
#include "cli/table.h"
#include "schedule/timetable.h"
#include "util/clock.h"

namespace nightshift::cli {
namespace {

constexpr char kTokens[] = "/api/v1/tokens";

struct TokenCreateFlags {
  ClientOptions client;
  std::string role, name, expires_in, expires_at;
};

Command TokenCreateVerb() {
  return {"create", "Create an API token; it is printed this once", [](CLI::App& app) -> std::function<int()> {
            auto f = std::make_shared<TokenCreateFlags>();
            app.add_option("--role", f->role, "What it may do")
                ->required()
                ->check(CLI::IsMember({"viewer", "operator", "admin"}));
            app.add_option("--name", f->name, "A label for lists and the audit log's readers");
            auto* in = app.add_option("--expires-in", f->expires_in, "Lifetime: 90s, 30m, 12h, 30d, 2w");
            app.add_option("--expires-at", f->expires_at, "Expiry (RFC 3339)")->excludes(in);
            AddClientFlags(app, f->client);
            return [f] {
              Json body{{"role", f->role}};
              if (!f->name.empty()) body["name"] = f->name;
              if (!f->expires_in.empty()) body["expires_in"] = f->expires_in;
              if (!f->expires_at.empty()) body["expires_at"] = f->expires_at;
              Result<Json> answer = Call(f->client, "POST", kTokens, body.dump());
              if (!answer.ok()) return ReportError(answer.status());
              if (f->client.output == "json") {
                std::cout << answer->dump(2) << "\n";
                return 0;
              }
              std::cerr << "token " << Text((*answer)["id"]) << " (" << Text((*answer)["role"]) << ", expires "
                        << ((*answer)["expires_at"].is_null() ? "never" : Text((*answer)["expires_at"]))
                        << "); it is shown this once:\n";
              std::cout << Text((*answer)["token"]) << "\n";
              return 0;
            };
          }};
}

Command TokenListVerb() {
  return {"list", "List API tokens (never their secrets)", [](CLI::App& app) -> std::function<int()> {
            auto client = std::make_shared<ClientOptions>();
            AddClientFlags(app, *client);
            return [client] {
              return CallAndPrint(*client, "GET", kTokens, "", [](const Json& answer) {
                std::vector<Row> rows;
                for (const Json& t : answer["tokens"]) {
                  rows.push_back({Text(t["id"]), t["name"].get<std::string>().empty() ? "-" : Text(t["name"]),
                                  Text(t["role"]), Text(t["state"]), Text(t["created_at"]), Text(t["expires_at"]),
                                  Text(t["last_used_at"]), Text(t["revoked_at"])});
                }
                PrintTable(std::cout, {"ID", "NAME", "ROLE", "STATE", "CREATED", "EXPIRES", "LAST USED", "REVOKED"},
                           rows);
              });
            };
          }};
}

struct RevokeFlags {
  ClientOptions client;
  std::string id;
};

Command RevokeVerb() {
  return {"revoke", "Revoke an API token: refused from now on", [](CLI::App& app) -> std::function<int()> {
            auto f = std::make_shared<RevokeFlags>();
            app.add_option("id", f->id, "Token id (from token list)")->required();
            AddClientFlags(app, f->client);
            return [f] {
              return CallAndPrint(f->client, "DELETE", std::string(kTokens) + "/" + PercentEncode(f->id), "",
                                  [](const Json& t) { std::cout << "revoked token " << Text(t["id"]) << "\n"; });
            };
          }};
}

struct AuditFlags {
  ClientOptions client;
  std::string since, actor, operation, next_token;
  int limit = 50;
};

// --since as RFC 3339, or as a duration back from now ("1h").
Result<std::string> SinceQuery(const std::string& since) {
  if (schedule::ParseRfc3339(since).ok()) return since;
  Result<TimeMs> ago = auth::ParseTokenLifetime(since);
  if (!ago.ok()) return Status::InvalidArgument("--since takes RFC 3339 or a duration such as 1h or 7d, not '" + since + "'");
  return schedule::FormatRfc3339(SystemClock().NowMs() - *ago, schedule::Zone::Utc());
}

}  // namespace

Command TokenCommand() {
  return {.name = "token",
          .help = "Manage API tokens (admin)",
          .verbs = {TokenCreateVerb(), TokenListVerb(), RevokeVerb()}};
}

Command AuditCommand() {
  return {"audit", "Show the audit log, newest first (admin)", [](CLI::App& app) -> std::function<int()> {
            auto f = std::make_shared<AuditFlags>();
            app.add_option("--since", f->since, "Only records since then: RFC 3339, or a duration back (1h, 7d)");
            app.add_option("--actor", f->actor, "Only this actor: an access key id, token:ID or anonymous");
            app.add_option("--operation", f->operation, "Only this operation (batch:SubmitJob, createToken, ...)");
            app.add_option("--limit,-n", f->limit, "At most this many records")->check(CLI::Range(1, 1000));
            app.add_option("--next-token", f->next_token, "The page after the one that printed it");
            AddClientFlags(app, f->client);
            return [f] {
              std::string query = "?limit=" + std::to_string(f->limit);
              if (!f->since.empty()) {
                Result<std::string> since = SinceQuery(f->since);
                if (!since.ok()) return ReportError(since.status());
                query += "&since=" + PercentEncode(*since);
              }
              if (!f->actor.empty()) query += "&actor=" + PercentEncode(f->actor);
              if (!f->operation.empty()) query += "&operation=" + PercentEncode(f->operation);
              if (!f->next_token.empty()) query += "&next_token=" + PercentEncode(f->next_token);
              return CallAndPrint(f->client, "GET", "/api/v1/audit" + query, "", [](const Json& answer) {
                std::vector<Row> rows;
                for (const Json& r : answer["records"]) {
                  rows.push_back({Text(r["at"]), Text(r["actor"]), r["role"].get<std::string>().empty() ? "-" : Text(r["role"]),
                                  Text(r["operation"]), r["resource"].get<std::string>().empty() ? "-" : Text(r["resource"]),
                                  std::to_string(r["status"].get<int>()),
                                  r["error"].get<std::string>().empty() ? "-" : Text(r["error"]), Text(r["source"])});
                }
                PrintTable(std::cout, {"TIME", "ACTOR", "ROLE", "OPERATION", "RESOURCE", "STATUS", "ERROR", "SOURCE"}, rows);
                if (answer.contains("next_token")) std::cout << "more: --next-token " << Text(answer["next_token"]) << "\n";
              });
            };
          }};
}

}  // namespace nightshift::cli
