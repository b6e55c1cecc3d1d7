// CommandTree: the `nightshift` command line as data. AddCommands turns the Command table
// (cli/command.h) into the CLI11 app that parses argv; DescribeApp reads that app back as a plain
// tree of commands and flags, from which completion scripts (cli/completion.h) and usage hints
// (cli/usage_hint.h) are made — so the verbs and flags are declared once.
// Thread-safety: plain values and functions.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "cli/command.h"

namespace CLI {
class App;
}

namespace nightshift::cli {

struct FlagNode {
  std::vector<std::string> names;  // "--queue", "-q"
  std::string help;
  bool takes_value = false;
};

struct CommandNode {
  std::string name;  // "nightshift" at the root
  std::string help;
  std::vector<FlagNode> flags;
  std::vector<CommandNode> children;  // verbs of a group
};

// Adds every command of `commands` under `app`; the chosen verb's handler lands in `chosen`.
// `chosen` must outlive parsing.
void AddCommands(CLI::App& app, const std::vector<Command>& commands, std::function<int()>& chosen);

// The tree of `app`'s subcommands and flags (positional arguments left out).
CommandNode DescribeApp(const CLI::App& app);

}  // namespace nightshift::cli
