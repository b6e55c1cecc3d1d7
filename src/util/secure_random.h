// Secure random bytes (OpenSSL's generator), for secrets such as API tokens.
// Thread-safety: may be called from any thread.
#pragma once

#include <cstddef>
#include <string>

#include "util/status.h"

namespace nightshift {

// `count` bytes from a cryptographically secure generator. Errors: kInternal if the generator
// cannot deliver (it is never replaced by a weaker one).
Result<std::string> SecureRandomBytes(size_t count);

}  // namespace nightshift
