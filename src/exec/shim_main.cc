// nightshift-shim: the per-attempt supervisor started by LocalExecutor. Internal; see
// exec/shim_args.h for its command line and exec/shim.h for what it does.
#include <cstdio>

#include "exec/shim.h"
#include "exec/shim_args.h"

int main(int argc, char** argv) {
  nightshift::Result<nightshift::exec::ShimArgs> args = nightshift::exec::ParseShimArgs(argc, argv);
  if (!args.ok()) {
    std::fprintf(stderr, "%s\n", args.status().message().c_str());
    return 2;
  }
  return nightshift::exec::RunShim(*args);
}
