// Who a job runs as and which secrets it gets: the pure rules, decided before an attempt starts.
//
// Run-as user. An admin names the unix user a queue's or a compute environment's jobs run as with
// the tag kRunAsTag (AWS clients can set tags; the nightshift CLI's --run-as sets it). The user of
// an attempt is the queue's, else the compute environment's, else the job definition's
// containerProperties.user, else the server's own — except that a server running as root does
// not run a job as root unless someone asked for it: without any of the three, the attempt fails
// with a reason saying how to choose a user (unless the server allows root jobs).
//
// Secret references (containerProperties.secrets[].valueFrom) name a file on the server's host:
// "file:///ABSOLUTE/PATH" or a plain file name, read from the server's secrets directory. Both
// must lie inside that directory (checked again, on the resolved path, when the file is read).
//
// Thread-safety: pure functions over values.
#pragma once

#include <string>
#include <string_view>

#include "core/job.h"
#include "core/resources.h"
#include "util/status.h"

namespace nightshift::core {

inline constexpr char kRunAsTag[] = "nightshift:runAs";

struct RunAsPolicy {
  // The server runs as root and was not told to allow root jobs: a job with no user chosen fails.
  bool refuse_unchosen_root = false;
};

// The user an attempt runs as ("" = the server's own user). `queue` and `ce` may be null (deleted
// meanwhile). Errors: kInvalidArgument (the attempt fails with its message) when no user is chosen
// and the policy refuses to run it as root.
[[nodiscard]] Result<std::string> ChooseRunAs(const JobQueue* queue, const ComputeEnvironment* ce, const JobSpec& spec,
                                              const RunAsPolicy& policy);

// A valid user value: a name of letters, digits, '_', '-', '.' (not starting with '-'), at most 32
// characters, or a decimal uid. Errors: kInvalidArgument naming `field`.
Status CheckUserName(std::string_view user, std::string_view field);

// Where a secret's valueFrom points: the absolute file path, given the secrets directory (no
// trailing '/'). Errors: kInvalidArgument naming the reference, for any other form, a path with
// "." or ".." segments, or one outside `secrets_dir`.
[[nodiscard]] Result<std::string> SecretPath(std::string_view value_from, std::string_view secrets_dir);

// The checks SecretPath can make without the directory (at registration): the form only.
Status CheckSecretRef(const SecretRef& ref, std::string_view field);

}  // namespace nightshift::core
