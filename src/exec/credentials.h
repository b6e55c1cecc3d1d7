// Credentials: the unix user, group and supplementary groups a job is started with when it runs
// as a user other than the server's (core/job_identity.h decides which user), and their lookup
// in the user database.
// Thread-safety: LookUpUser is thread-safe (getpwnam_r, getgrouplist); the rest are plain values.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "util/status.h"

namespace nightshift::exec {

struct Credentials {
  uid_t uid = 0;
  gid_t gid = 0;
  std::vector<gid_t> groups;  // supplementary, as initgroups would set them
  bool operator==(const Credentials&) const = default;
};

struct UserAccount {
  Credentials credentials;
  std::string name;
  std::string home;
};

// A user by name, or by decimal uid (which need not have an entry: it then gets gid = uid, no
// supplementary groups, home "/"). Errors: kNotFound "no such user NAME"; kInternal when the
// user database cannot be read.
[[nodiscard]] Result<UserAccount> LookUpUser(const std::string& user);

}  // namespace nightshift::exec
