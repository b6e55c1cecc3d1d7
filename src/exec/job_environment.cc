#include "exec/job_environment.h"

#include <cstdlib>

namespace nightshift::exec {

std::vector<core::EnvVar> JobBaseEnvironment() {
  std::vector<core::EnvVar> env = {{"PATH", kJobBasePath}};
  const char* home = std::getenv("HOME");
  env.push_back({"HOME", home != nullptr ? home : "/"});
  for (const char* name : {"USER", "LOGNAME", "LANG", "LC_ALL", "TZ", "TMPDIR"}) {
    if (const char* value = std::getenv(name)) env.push_back({name, value});
  }
  return env;
}

}  // namespace nightshift::exec
