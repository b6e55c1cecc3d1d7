// nightshift-supervisor ROOT [ROTATE_RECORDS]: the resident process that runs the attempts of one
// server process. Internal; started by LocalExecutor. See exec/supervisor.h.
#include <optional>

#include "exec/posix_util.h"
#include "exec/supervisor.h"

int main(int argc, char** argv) {
  if (argc < 2 || argc > 3 || argv[1][0] != '/') return 2;
  nightshift::exec::SupervisorOptions options;
  options.root = argv[1];
  if (argc == 3) {
    std::optional<int64_t> n = nightshift::exec::ParseInt64(argv[2]);
    if (!n || *n < 1) return 2;
    options.rotate_records = static_cast<uint64_t>(*n);
  }
  return nightshift::exec::RunSupervisor(options);
}
