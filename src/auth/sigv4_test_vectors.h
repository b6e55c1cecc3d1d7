// Real SigV4 requests captured from the aws CLI and boto3 (secret kExampleSecret), with the
// canonical requests and signatures AWS's algorithm gives for them, for the auth tests.
// Thread-safety: constants.
#pragma once

#include <cstdint>
#include <map>
#include <string>

namespace nightshift::auth::testing {

inline constexpr char kExampleKeyId[] = "AKIDEXAMPLE";
inline constexpr char kExampleSecret[] = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
inline constexpr char kExampleSessionToken[] = "FwoGZXIvYXdzEXAMPLETOKEN+/=";

struct CapturedRequest {
  std::string name;
  std::string method, path, query;
  std::map<std::string, std::string> headers;  // lower-case names; unsigned ones (User-Agent) abridged
  std::string body;
  std::string service;
  int64_t signed_at;  // X-Amz-Date as Unix seconds
  std::string canonical_request;
  std::string signing_key_hex;
  std::string signature;
};

const std::map<std::string, CapturedRequest>& CapturedRequests();

}  // namespace nightshift::auth::testing
