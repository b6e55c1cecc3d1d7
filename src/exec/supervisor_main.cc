// nightshift-supervisor: the resident process that runs the attempts of one server process.
// Internal; started by LocalExecutor. See exec/supervisor.h.
#include "exec/supervisor.h"

int main() { return nightshift::exec::RunSupervisor(); }
