#include "webhooks/signature.h"

#include "util/digest.h"

namespace nightshift::webhooks {

std::string Signature(std::string_view secret, std::string_view body) {
  return "sha256=" + HmacSha256Hex(secret, body);
}

}  // namespace nightshift::webhooks
