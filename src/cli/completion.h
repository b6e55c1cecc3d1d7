// Shell completion for `nightshift`: scripts for bash and zsh generated from the command tree
// (cli/command_tree.h), printed by `nightshift completion bash|zsh`. They complete verbs and the
// flags of the verb being typed; elsewhere they fall back to file names.
// Thread-safety: pure functions.
#pragma once

#include <string>

#include "cli/command_tree.h"

namespace nightshift::cli {

std::string BashCompletion(const CommandNode& root);
std::string ZshCompletion(const CommandNode& root);

}  // namespace nightshift::cli
