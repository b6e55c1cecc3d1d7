// nightshift: the single binary — `nightshift server` and the client verbs.
#include <CLI/CLI.hpp>

#include "cli/command.h"

namespace nightshift::cli {

std::vector<Command> AllCommands() { return {ServerCommand(), ScheduleCommand(), PipelineCommand(), RunCommand(), WatchCommand()}; }

namespace {

// Adds `command` (a verb, or a group of verbs) under `parent`; the chosen verb's handler lands
// in `chosen`.
void Add(CLI::App& parent, const Command& command, std::function<int()>& chosen) {
  CLI::App* sub = parent.add_subcommand(command.name, command.help);
  if (!command.define) {
    sub->require_subcommand(1);
    for (const auto& verb : command.verbs) Add(*sub, verb, chosen);
    return;
  }
  auto handler = command.define(*sub);
  sub->callback([&chosen, handler] { chosen = handler; });
}

}  // namespace
}  // namespace nightshift::cli

int main(int argc, char** argv) {
  CLI::App app{"nightshift: batch jobs, schedules and pipelines on one machine or a cluster"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("nightshift ") + NIGHTSHIFT_VERSION);
  std::function<int()> chosen;
  for (const auto& command : nightshift::cli::AllCommands()) {
    nightshift::cli::Add(app, command, chosen);
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  return chosen ? chosen() : 2;
}
