#include "cli/command_tree.h"

#include <CLI/CLI.hpp>

namespace nightshift::cli {
namespace {

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

void AddCommands(CLI::App& app, const std::vector<Command>& commands, std::function<int()>& chosen) {
  for (const Command& command : commands) Add(app, command, chosen);
}

CommandNode DescribeApp(const CLI::App& app) {
  CommandNode node{app.get_name(), app.get_description(), {}, {}};
  for (const CLI::Option* option : app.get_options([](const CLI::Option* o) { return o->nonpositional(); })) {
    FlagNode flag;
    for (const std::string& name : option->get_lnames()) flag.names.push_back("--" + name);
    for (const std::string& name : option->get_snames()) flag.names.push_back("-" + name);
    flag.help = option->get_description();
    flag.takes_value = option->get_expected_max() > 0;
    node.flags.push_back(std::move(flag));
  }
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
    node.children.push_back(DescribeApp(*sub));
  }
  return node;
}

}  // namespace nightshift::cli
