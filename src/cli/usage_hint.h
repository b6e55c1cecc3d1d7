// UsageHint: what is wrong with a command line that did not parse, in words a person can act on:
// an unknown command or flag with the nearest valid one ("unknown command 'jbo' (did you mean
// 'job'?)"), or a missing command with the ones to choose from.
// Thread-safety: pure function.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "cli/command_tree.h"

namespace nightshift::cli {

struct UsageProblem {
  std::string command;  // the command the problem is in: "nightshift job"
  std::string message;  // "unknown command 'sumbit' (did you mean 'submit'?)"
};

// Walks `args` (argv without the program name) down `root`. nullopt when no command or flag is
// unknown and no command is missing (then the problem is another one, e.g. a missing option).
std::optional<UsageProblem> FindUsageProblem(const CommandNode& root, const std::vector<std::string>& args);

}  // namespace nightshift::cli
