#include "cli/usage_hint.h"

#include <string_view>

#include "util/suggest.h"

namespace nightshift::cli {
namespace {

const FlagNode* FindFlag(const CommandNode& node, std::string_view name) {
  for (const FlagNode& flag : node.flags) {
    for (const std::string& n : flag.names) {
      if (n == name) return &flag;
    }
  }
  return nullptr;
}

const CommandNode* FindChild(const CommandNode& node, std::string_view name) {
  for (const CommandNode& child : node.children) {
    if (child.name == name) return &child;
  }
  return nullptr;
}

std::string UnknownFlag(const CommandNode& node, std::string_view name) {
  std::vector<std::string_view> names;
  for (const FlagNode& flag : node.flags) names.insert(names.end(), flag.names.begin(), flag.names.end());
  return "unknown flag '" + std::string(name) + "'" + DidYouMean(name, names);
}

std::string UnknownCommand(const CommandNode& node, std::string_view name) {
  std::vector<std::string_view> names;
  for (const CommandNode& child : node.children) names.push_back(child.name);
  return "unknown command '" + std::string(name) + "'" + DidYouMean(name, names);
}

}  // namespace

std::optional<UsageProblem> FindUsageProblem(const CommandNode& root, const std::vector<std::string>& args) {
  const CommandNode* node = &root;
  std::string path = root.name;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--") break;
    if (arg.size() > 1 && arg[0] == '-') {
      // "--name=value" and "-nVALUE" carry their value; "-n VALUE" and "--name VALUE" do not.
      const bool is_long = arg.rfind("--", 0) == 0;
      const std::string name = is_long ? arg.substr(0, arg.find('=')) : arg.substr(0, 2);
      const FlagNode* flag = FindFlag(*node, name);
      if (!flag) return UsageProblem{path, UnknownFlag(*node, name)};
      const bool value_attached = is_long ? arg.find('=') != std::string::npos : arg.size() > 2;
      if (flag->takes_value && !value_attached) ++i;
      continue;
    }
    if (node->children.empty()) continue;  // an argument of the verb
    const CommandNode* child = FindChild(*node, arg);
    if (!child) return UsageProblem{path, UnknownCommand(*node, arg)};
    node = child;
    path += " " + arg;
  }
  if (!node->children.empty()) {
    std::string names;
    for (const CommandNode& child : node->children) names += (names.empty() ? "" : ", ") + child.name;
    return UsageProblem{path, "a command is required: " + names};
  }
  return std::nullopt;
}

}  // namespace nightshift::cli
