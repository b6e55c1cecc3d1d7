#include "exec/credentials.h"

#include <grp.h>
#include <pwd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "exec/posix_util.h"

namespace nightshift::exec {
namespace {

std::vector<gid_t> GroupsOf(const char* name, gid_t gid) {
  int count = 32;
  std::vector<gid_t> groups(static_cast<size_t>(count));
  while (::getgrouplist(name, gid, groups.data(), &count) < 0) groups.resize(static_cast<size_t>(count) * 2);
  groups.resize(static_cast<size_t>(count));
  return groups;
}

}  // namespace

Result<UserAccount> LookUpUser(const std::string& user) {
  std::optional<int64_t> uid = ParseInt64(user);
  if (uid && (*uid < 0 || *uid > 0x7fffffff)) return Status::NotFound("no such user " + user);
  std::vector<char> buffer(16384);
  passwd entry{};
  passwd* found = nullptr;
  int err = 0;
  while (true) {
    err = uid ? ::getpwuid_r(static_cast<uid_t>(*uid), &entry, buffer.data(), buffer.size(), &found)
              : ::getpwnam_r(user.c_str(), &entry, buffer.data(), buffer.size(), &found);
    if (err != ERANGE) break;
    buffer.resize(buffer.size() * 2);
  }
  if (err != 0 && err != ENOENT && err != ESRCH) return ErrnoStatus("look up user " + user, err);
  UserAccount account;
  if (!found) {
    if (!uid) return Status::NotFound("no such user " + user);
    account.name = user;
    account.home = "/";
    account.credentials = {static_cast<uid_t>(*uid), static_cast<gid_t>(*uid), {}};
    return account;
  }
  account.name = entry.pw_name;
  account.home = entry.pw_dir;
  account.credentials = {entry.pw_uid, entry.pw_gid, GroupsOf(entry.pw_name, entry.pw_gid)};
  return account;
}

}  // namespace nightshift::exec
