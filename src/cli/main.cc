// nightshift: the single binary — `nightshift server` and the client verbs. Parses the command
// line with the table of commands (cli/command.h) and runs the chosen verb.
#include <CLI/CLI.hpp>

#include <iostream>

#include "cli/command.h"
#include "cli/command_tree.h"
#include "cli/usage_hint.h"

namespace nightshift::cli {

std::vector<Command> AllCommands() {
  return {ServerCommand(),   ComputeEnvironmentCommand(), QueueCommand(),    JobDefinitionCommand(),
          JobCommand(),      LogsCommand(),               WhyCommand(),      WatchCommand(),
          ScheduleCommand(), PipelineCommand(),           RunCommand(),      TokenCommand(),
          AuditCommand(),    CompletionCommand()};
}

namespace {

// A command line that did not parse: the nearest valid command or flag when one is unknown,
// else CLI11's message. Exit status 2.
int ReportParseError(const CLI::App& app, const CLI::ParseError& error, const std::vector<std::string>& args) {
  if (std::optional<UsageProblem> problem = FindUsageProblem(DescribeApp(app), args)) {
    std::cerr << problem->command << ": " << problem->message << "\n"
              << "Run '" << problem->command << " --help' for usage.\n";
  } else {
    std::cerr << "nightshift: " << error.what() << "\nRun with --help for usage.\n";
  }
  return 2;
}

}  // namespace
}  // namespace nightshift::cli

int main(int argc, char** argv) {
  CLI::App app{"nightshift: batch jobs, schedules and pipelines on one machine or a cluster", "nightshift"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("nightshift ") + NIGHTSHIFT_VERSION);
  std::function<int()> chosen;
  nightshift::cli::AddCommands(app, nightshift::cli::AllCommands(), chosen);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    return nightshift::cli::ReportParseError(app, e, std::vector<std::string>(argv + 1, argv + argc));
  }
  return chosen ? chosen() : 2;
}
