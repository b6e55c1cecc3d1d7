// The physical limit of a local executor on this machine: posix_spawn + waitpid of `true`,
// N at a time, with nothing else. Prints the wall time in seconds.
// Usage: spawn_loop [JOBS] [PARALLEL]
#include <spawn.h>
#include <sys/wait.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>

extern char** environ;

int main(int argc, char** argv) {
  const int jobs = argc > 1 ? std::atoi(argv[1]) : 10000;
  const int parallel = argc > 2 ? std::atoi(argv[2]) : 2;
  char true_path[] = "/bin/true";
  char* child_argv[] = {true_path, nullptr};
  const auto start = std::chrono::steady_clock::now();
  int running = 0;
  for (int started = 0; started < jobs || running > 0;) {
    if (started < jobs && running < parallel) {
      pid_t pid = 0;
      if (posix_spawn(&pid, true_path, nullptr, nullptr, child_argv, environ) != 0) return 1;
      ++started;
      ++running;
      continue;
    }
    int status = 0;
    if (waitpid(-1, &status, 0) > 0) --running;
  }
  const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
  std::printf("%.3f\n", elapsed.count());
  return 0;
}
