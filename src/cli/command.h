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
  // Adds the subcommand's flags to `app`; returns the handler to run when it is chosen.
  std::function<std::function<int()>(CLI::App& app)> define;
};

// Every subcommand of `nightshift`.
std::vector<Command> AllCommands();

// Subcommand builders, one per file.
Command ServerCommand();

}  // namespace nightshift::cli
