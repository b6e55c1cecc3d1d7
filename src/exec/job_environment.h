// The environment every job starts from, whatever runs it: a minimal base, never the server's
// whole environment (no credentials reach jobs). The job's own variables are added over it.
// Thread-safety: reads the process environment; call it while nothing changes that.
#pragma once

#include <vector>

#include "core/job.h"

namespace nightshift::exec {

inline constexpr char kJobBasePath[] = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

// PATH=kJobBasePath; HOME (the server's, else "/"); USER, LOGNAME, LANG, LC_ALL, TZ and TMPDIR
// when the server has them.
std::vector<core::EnvVar> JobBaseEnvironment();

}  // namespace nightshift::exec
