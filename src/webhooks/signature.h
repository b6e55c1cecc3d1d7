// Webhook signatures: the X-Nightshift-Signature header is "sha256=" and the lower-case hex of
// the HMAC-SHA256 of the request body, keyed with the subscription's secret. A receiver computes
// the same over the bytes it received and compares (in constant time).
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

namespace nightshift::webhooks {

inline constexpr char kSignatureHeader[] = "X-Nightshift-Signature";

// The header's value: "sha256=<hex>".
std::string Signature(std::string_view secret, std::string_view body);

}  // namespace nightshift::webhooks
