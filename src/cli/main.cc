// nightshift: the single binary — `nightshift server` and the client verbs.
#include <CLI/CLI.hpp>

#include "cli/command.h"

namespace nightshift::cli {

std::vector<Command> AllCommands() { return {ServerCommand()}; }

}  // namespace nightshift::cli

int main(int argc, char** argv) {
  CLI::App app{"nightshift: batch jobs, schedules and pipelines on one machine or a cluster"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("nightshift ") + NIGHTSHIFT_VERSION);
  std::function<int()> chosen;
  for (const auto& command : nightshift::cli::AllCommands()) {
    CLI::App* sub = app.add_subcommand(command.name, command.help);
    auto handler = command.define(*sub);
    sub->callback([&chosen, handler] { chosen = handler; });
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  return chosen ? chosen() : 2;
}
