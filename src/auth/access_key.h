// Access keys: the credentials SigV4 requests are signed with, as the server is configured with
// them (`--access-key ID:SECRET[:ROLE[:SESSION_TOKEN]]`, or one such line per key in a file),
// and the KeyRing that finds a key by its id.
// Thread-safety: parsers are pure; a KeyRing is a plain value (const methods may be called from
// any thread once it is built).
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "auth/identity.h"
#include "util/status.h"

namespace nightshift::auth {

struct AccessKey {
  std::string id;             // letters, digits, '_' and '-'
  std::string secret;         // no whitespace, ':' or ','
  Role role = Role::kAdmin;   // a key without a role may do everything
  std::string session_token;  // non-empty: requests must carry it (X-Amz-Security-Token)
};

// Parses "ID:SECRET[:ROLE[:SESSION_TOKEN]]" (the token may contain ':'). Errors:
// kInvalidArgument naming the part that is wrong, never quoting the secret.
Result<AccessKey> ParseAccessKey(std::string_view spec);

// Parses a key file: one key a line as above; blank lines and lines starting with '#' are
// skipped. Errors: kInvalidArgument, "FILE:LINE: ..." for the first bad line.
Result<std::vector<AccessKey>> ParseAccessKeyFile(std::string_view text, std::string_view file_name);

class KeyRing {
 public:
  // Errors: kInvalidArgument if a key with the same id is already there.
  Status Add(AccessKey key);
  // The key with this id, or nullptr. The pointer lives as long as the ring is not changed.
  const AccessKey* Find(std::string_view id) const;
  bool empty() const { return keys_.empty(); }
  bool HasRole(Role role) const;
  size_t size() const { return keys_.size(); }

 private:
  std::map<std::string, AccessKey, std::less<>> keys_;
};

}  // namespace nightshift::auth
