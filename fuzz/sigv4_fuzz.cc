// libFuzzer target: arbitrary bytes as a request's Authorization header (first line), X-Amz-Date
// (second line), raw path (third) and raw query (the rest), checking invariants that hold for
// every input:
//   * ParseAuthorization either fails or yields a 64-hex signature, a signed "host", a scope of
//     four non-empty parts ending in aws4_request, and non-empty lower-case header names;
//   * ParseAmzDate and FormatAmzDate round-trip every date that parses;
//   * the canonical request's path and query hold only unreserved characters, '%', '/', '=' and '&';
//   * VerifySigV4 never accepts a request that was not signed with the configured secret.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <string_view>

#include "auth/sigv4.h"
#include "auth/sigv4_verifier.h"
#include "util/digest.h"

namespace nightshift::auth {
namespace {

void Check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "invariant violated: %s\n", what);
    std::abort();
  }
}

std::string_view NextLine(std::string_view& rest) {
  const size_t newline = rest.find('\n');
  std::string_view line = rest.substr(0, newline);
  rest = newline == std::string_view::npos ? std::string_view() : rest.substr(newline + 1);
  return line;
}

bool IsCanonicalUriChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
         c == '.' || c == '~' || c == '%' || c == '/' || c == '=' || c == '&';
}

void CheckAuthorization(std::string_view header) {
  Result<SigV4Authorization> auth = ParseAuthorization(header);
  if (!auth.ok()) return;
  Check(auth->signature.size() == 64, "signature of 64 hex digits");
  Check(!auth->access_key_id.empty() && auth->scope.date.size() == 8 && !auth->scope.region.empty() &&
            !auth->scope.service.empty(), "complete scope");
  bool host = false;
  for (const std::string& name : auth->signed_headers) {
    Check(!name.empty(), "non-empty header names");
    host = host || name == "host";
  }
  Check(host, "host is signed");
}

void CheckDate(std::string_view text) {
  Result<int64_t> t = ParseAmzDate(text);
  if (t.ok()) Check(FormatAmzDate(*t) == text, "X-Amz-Date round-trips");
}

void CheckCanonical(const std::map<std::string, std::string>& headers, std::string_view path, std::string_view query) {
  const std::string canonical = CanonicalRequest({"GET", path, query, headers, ""}, {"host"}, "x");
  std::string_view rest = canonical;
  NextLine(rest);  // the method
  for (int i = 0; i < 2; ++i) {
    for (char c : NextLine(rest)) Check(IsCanonicalUriChar(c), "canonical path and query are encoded");
  }
}

}  // namespace
}  // namespace nightshift::auth

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace nightshift::auth;
  std::string_view rest(reinterpret_cast<const char*>(data), size);
  const std::string_view authorization = NextLine(rest);
  const std::string_view amz_date = NextLine(rest);
  const std::string_view path = NextLine(rest);
  const std::string_view query = rest;
  CheckAuthorization(authorization);
  CheckDate(amz_date);
  const std::map<std::string, std::string> headers = {
      {"authorization", std::string(authorization)}, {"x-amz-date", std::string(amz_date)}, {"host", "h"}};
  CheckCanonical(headers, path, query);
  static const KeyRing kKeys = [] {
    KeyRing keys;
    (void)keys.Add({"AKIDEXAMPLE", "secret", Role::kAdmin, ""});
    return keys;
  }();
  nightshift::Result<int64_t> now = ParseAmzDate(amz_date);
  const AuthResult result = VerifySigV4({"GET", path, query, headers, ""}, "batch", kKeys, now.ok() ? *now : 0);
  Check(std::holds_alternative<AuthError>(result), "an unsigned request is never accepted");
  return 0;
}
