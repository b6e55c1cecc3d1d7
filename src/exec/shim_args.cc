#include "exec/shim_args.h"

#include <string_view>

#include "exec/posix_util.h"

namespace nightshift::exec {

std::vector<std::string> FormatShimArgv(const std::string& shim_path, const ShimArgs& args) {
  std::vector<std::string> argv = {shim_path, args.attempt_dir, std::to_string(args.grace_ms),
                                   args.working_dir, "--"};
  argv.insert(argv.end(), args.job_argv.begin(), args.job_argv.end());
  return argv;
}

Result<ShimArgs> ParseShimArgs(int argc, const char* const* argv) {
  const Status usage = Status::InvalidArgument(
      "usage: nightshift-shim <attempt_dir> <grace_ms> <working_dir> -- <program> [<arg>...]");
  if (argc < 6 || std::string_view(argv[4]) != "--") return usage;
  ShimArgs args;
  args.attempt_dir = argv[1];
  std::optional<int64_t> grace = ParseInt64(argv[2]);
  if (args.attempt_dir.empty() || !grace || *grace < 0) return usage;
  args.grace_ms = *grace;
  args.working_dir = argv[3];
  args.job_argv.assign(argv + 5, argv + argc);
  return args;
}

}  // namespace nightshift::exec
