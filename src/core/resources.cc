#include "core/resources.h"

namespace nightshift::core {

std::string_view Name(ExecutorKind kind) {
  switch (kind) {
    case ExecutorKind::kLocal:
      return "local";
    case ExecutorKind::kSlurm:
      return "slurm";
  }
  return "local";
}

}  // namespace nightshift::core
