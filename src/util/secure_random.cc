#include "util/secure_random.h"

#include <openssl/rand.h>

namespace nightshift {

Result<std::string> SecureRandomBytes(size_t count) {
  std::string bytes(count, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(bytes.data()), static_cast<int>(count)) != 1) {
    return Status::Internal("the secure random generator failed");
  }
  return bytes;
}

}  // namespace nightshift
