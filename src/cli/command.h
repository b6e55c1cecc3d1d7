// The CLI's subcommand table: each subcommand is declared once (name, help, how to add its
// flags, handler), and usage text comes from the table.
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace nightshift::cli {

struct Command {
  std::string name;
  std::string help;
  // A verb: adds its flags to `app`; returns the handler to run when it is chosen.
  std::function<std::function<int()>(CLI::App& app)> define;
  // A group (`define` unset): exactly one of these verbs must be chosen.
  std::vector<Command> verbs;
};

// Every subcommand of `nightshift`.
std::vector<Command> AllCommands();

// Subcommand builders, one per file.
Command ServerCommand();
Command ComputeEnvironmentCommand();  // `nightshift ce`
Command QueueCommand();
Command JobDefinitionCommand();       // `nightshift jobdef`
Command JobCommand();
Command LogsCommand();
Command WhyCommand();               // `nightshift why JOB_ID`
Command CompletionCommand();
Command ScheduleCommand();
Command PipelineCommand();
Command RunCommand();      // `nightshift run FILE`
Command SchedulePreviewCommand();  // `nightshift schedule preview`
Command WatchCommand();    // `nightshift watch`
Command TokenCommand();    // `nightshift token`
Command AuditCommand();    // `nightshift audit`

}  // namespace nightshift::cli
