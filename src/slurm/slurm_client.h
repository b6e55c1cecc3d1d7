// SlurmClient: how the Slurm executor reaches Slurm. Either through Slurm's client commands on
// this host (sbatch, scancel, squeue, sacct, with SLURM_CONF), or through slurmrestd's OpenAPI
// v0.0.38, on a unix socket (local authentication) or over http:// (with a JWT, sent as
// X-SLURM-USER-NAME / X-SLURM-USER-TOKEN). Answers come on the loop thread as CommandResults
// shaped like the commands' output, so the executor reads them one way: a submission's job id,
// `squeue --json`'s document (slurmrestd's job list has the same shape), sacct's lines.
//
// Thread-safety: call on the loop thread; the blocking work runs on the CommandRunner's workers.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "slurm/command_runner.h"
#include "slurm/slurm_text.h"
#include "util/status.h"

namespace nightshift::slurm {

class SlurmClient {
 public:
  using Done = std::function<void(CommandResult)>;
  virtual ~SlurmClient() = default;

  // What submits, for messages: "sbatch" or "slurmrestd".
  virtual std::string SubmitterName() const = 0;
  // `lock_fd` is held by the submission while it runs, where it can be (sbatch inherits it): a
  // restarted server waits for it. The result's `out` is the Slurm job id.
  virtual void Submit(const Submission& submission, int lock_fd, Done done) = 0;
  // `term`: SIGTERM to every process of the job, its batch shell included; else it is cancelled.
  virtual void Cancel(const std::string& element, bool term, Done done) = 0;
  // `squeue --json`'s document in `out`.
  virtual void Queue(Done done) = 0;
  virtual CommandResult QueueNow() = 0;  // on the calling thread (a restart's adoption)
  // sacct -X (slurmdbd) or, with `completion_log`, sacct -c, of the Slurm jobs `ids` ("4,7"), in
  // the lines ParseSacct reads.
  virtual void Accounting(const std::string& ids, bool completion_log, Done done) = 0;
};

// The client commands, in `bin_dir` (empty: PATH), run by `runner`.
std::unique_ptr<SlurmClient> MakeCommandClient(CommandRunner& runner, std::string bin_dir);

struct RestEndpoint {
  std::string url;    // "unix:/run/slurmrestd.sock" or "http://host:port"
  std::string user;   // with `token`: sent as X-SLURM-USER-NAME / X-SLURM-USER-TOKEN
  std::string token;
};
// slurmrestd at `endpoint`, called on `runner`'s workers. InvalidArgument names a URL that is not
// one of the two forms.
[[nodiscard]] Result<std::unique_ptr<SlurmClient>> MakeRestClient(CommandRunner& runner, RestEndpoint endpoint,
                                                                  std::chrono::milliseconds time_limit);

}  // namespace nightshift::slurm
