// The server's security settings from its configuration: whether authentication is on (--auth,
// or any access key), the access keys (--access-key, its environment variable and config key,
// and --access-key-file), the TLS certificate and key, and
// the safe default — no listening beyond loopback without access keys unless --insecure.
// Thread-safety: CheckExposure and IsLoopbackHost are pure; LoadServerSecurity reads files.
#pragma once

#include <string>
#include <string_view>

#include "auth/access_key.h"
#include "cli/config.h"
#include "util/status.h"

namespace nightshift::cli {

struct ServerSecurity {
  auth::KeyRing keys;    // empty: requests are not authenticated
  std::string tls_cert;  // both set, or both empty (plain HTTP)
  std::string tls_key;
  bool insecure = false;
  bool auth = false;  // authentication on: `auth`, or any access key
};

// Errors: kInvalidArgument for a bad key (never quoting its secret), an unreadable or bad key
// file (naming its line), a key id given twice, or only one of the TLS files.
Result<ServerSecurity> LoadServerSecurity(const Config& config);

// True for 127.0.0.0/8, ::1 and ::ffff:127.x.y.z (with or without [brackets]).
bool IsLoopbackHost(std::string_view host);

// Whether the server may listen on `host`: always on loopback; elsewhere only with authentication
// on (access keys or `auth`), or when `insecure` (the caller then warns loudly). Errors:
// kInvalidArgument saying what to do.
Status CheckExposure(std::string_view host, bool authenticated, bool insecure);

}  // namespace nightshift::cli
