#include "auth/sigv4.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>
#include <cstdio>

#include "util/digest.h"
#include "util/uri.h"

namespace nightshift::auth {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

std::string_view TrimSpaces(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

std::vector<std::string_view> Split(std::string_view s, char separator) {
  std::vector<std::string_view> parts;
  for (size_t start = 0;;) {
    const size_t end = s.find(separator, start);
    parts.push_back(s.substr(start, end - start));
    if (end == std::string_view::npos) return parts;
    start = end + 1;
  }
}

bool IsLowerHex(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

bool IsHeaderName(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
  });
}

Status Malformed(std::string message, size_t offset) {
  return Status::InvalidArgument(message + " (at offset " + std::to_string(offset) + ")");
}

Result<CredentialScope> ParseCredential(std::string_view value, std::string& access_key_id) {
  const std::vector<std::string_view> parts = Split(value, '/');
  if (parts.size() != 5) {
    return Status::InvalidArgument("Credential must have exactly 5 slash-delimited elements, e.g. "
                                   "keyid/date/region/service/term, got '" + std::string(value) + "'");
  }
  if (parts[4] != "aws4_request") {
    return Status::InvalidArgument("Credential should be scoped with a valid terminator: 'aws4_request', not '" +
                                   std::string(parts[4]) + "'");
  }
  const bool date_ok = parts[1].size() == 8 && std::all_of(parts[1].begin(), parts[1].end(), IsDigit);
  if (parts[0].empty() || !date_ok || parts[2].empty() || parts[3].empty()) {
    return Status::InvalidArgument("Credential needs a key id, a yyyymmdd date, a region and a service, got '" +
                                   std::string(value) + "'");
  }
  access_key_id = std::string(parts[0]);
  return CredentialScope{std::string(parts[1]), std::string(parts[2]), std::string(parts[3])};
}

Status ParseSignedHeaders(std::string_view value, std::vector<std::string>& out) {
  for (std::string_view name : Split(value, ';')) {
    if (!IsHeaderName(name)) {
      return Status::InvalidArgument("SignedHeaders must be lower-case header names separated by ';', got '" +
                                     std::string(value) + "'");
    }
    out.emplace_back(name);
  }
  if (std::find(out.begin(), out.end(), "host") == out.end()) {
    return Status::InvalidArgument("'Host' must be a 'SignedHeader' in the AWS Authorization.");
  }
  return Status::Ok();
}

// Stores one "Name=value" parameter of the header; `seen` has a bit per known name.
Status ParseParameter(std::string_view param, size_t offset, unsigned& seen, SigV4Authorization& out) {
  const size_t eq = param.find('=');
  if (eq == std::string_view::npos) return Malformed("Authorization parameter without '=': '" + std::string(param) + "'", offset);
  const std::string_view name = param.substr(0, eq);
  const std::string_view value = param.substr(eq + 1);
  static constexpr std::array<std::string_view, 3> kNames = {"Credential", "SignedHeaders", "Signature"};
  const auto known = std::find(kNames.begin(), kNames.end(), name);
  if (known == kNames.end()) return Malformed("Unexpected Authorization parameter '" + std::string(name) + "'", offset);
  const unsigned bit = 1u << (known - kNames.begin());
  if (seen & bit) return Malformed("Authorization parameter '" + std::string(name) + "' given twice", offset);
  seen |= bit;
  if (name == "Credential") {
    Result<CredentialScope> scope = ParseCredential(value, out.access_key_id);
    if (!scope.ok()) return scope.status();
    out.scope = std::move(*scope);
    return Status::Ok();
  }
  if (name == "SignedHeaders") return ParseSignedHeaders(value, out.signed_headers);
  if (value.size() != 64 || !IsLowerHex(value)) {
    return Status::InvalidArgument("Signature must be 64 lower-case hex digits");
  }
  out.signature = std::string(value);
  return Status::Ok();
}

std::string MissingParameters(unsigned seen) {
  std::string message;
  static constexpr std::array<const char*, 3> kNames = {"Credential", "SignedHeaders", "Signature"};
  for (size_t i = 0; i < kNames.size(); ++i) {
    if (!(seen & (1u << i))) message += std::string(message.empty() ? "" : " ") + "Authorization header requires '" +
                                        kNames[i] + "' parameter.";
  }
  return message;
}

std::optional<int> Digits(std::string_view s) {
  int value = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || end != s.data() + s.size() || s.empty() || s.front() == '-') return std::nullopt;
  return value;
}

// Unix seconds of a UTC civil time, if it is a valid one.
std::optional<int64_t> UnixSeconds(int year, int month, int day, int hour, int minute, int second) {
  using namespace std::chrono;
  const year_month_day date{std::chrono::year(year), std::chrono::month(static_cast<unsigned>(month)),
                            std::chrono::day(static_cast<unsigned>(day))};
  if (!date.ok() || hour > 23 || minute > 59 || second > 59) return std::nullopt;
  return sys_days(date).time_since_epoch() / seconds(1) + hour * 3600 + minute * 60 + second;
}

// Header values: leading and trailing spaces trimmed, inner runs of spaces and tabs made one space.
std::string CanonicalHeaderValue(std::string_view value) {
  value = TrimSpaces(value);
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (IsSpace(c) && !out.empty() && out.back() == ' ') continue;
    out += IsSpace(c) ? ' ' : c;
  }
  return out;
}

std::string CanonicalQuery(std::string_view query) {
  std::vector<std::pair<std::string, std::string>> pairs;
  for (std::string_view part : Split(query, '&')) {
    if (part.empty()) continue;
    const size_t eq = part.find('=');
    const std::string_view value = eq == std::string_view::npos ? std::string_view() : part.substr(eq + 1);
    pairs.emplace_back(PercentEncode(PercentDecode(part.substr(0, eq))), PercentEncode(PercentDecode(value)));
  }
  std::sort(pairs.begin(), pairs.end());
  std::string out;
  for (const auto& [key, value] : pairs) out += (out.empty() ? "" : "&") + key + "=" + value;
  return out;
}

}  // namespace

std::string CredentialScope::ToString() const { return date + "/" + region + "/" + service + "/aws4_request"; }

Result<SigV4Authorization> ParseAuthorization(std::string_view header) {
  const std::string_view text = TrimSpaces(header);
  if (text.substr(0, kSigV4Algorithm.size()) != kSigV4Algorithm ||
      (text.size() > kSigV4Algorithm.size() && !IsSpace(text[kSigV4Algorithm.size()]))) {
    return Status::InvalidArgument("Unsupported Authorization type: only AWS4-HMAC-SHA256 signatures are accepted");
  }
  SigV4Authorization out;
  unsigned seen = 0;
  size_t offset = header.size() - text.size() + kSigV4Algorithm.size();
  for (std::string_view param : Split(text.substr(kSigV4Algorithm.size()), ',')) {
    const size_t leading = param.size() - TrimSpaces(param).size();
    if (!TrimSpaces(param).empty()) NS_RETURN_IF_ERROR(ParseParameter(TrimSpaces(param), offset + leading, seen, out));
    offset += param.size() + 1;
  }
  if (seen != 0b111) return Status::InvalidArgument(MissingParameters(seen));
  return out;
}

Result<int64_t> ParseAmzDate(std::string_view text) {
  const auto bad = Status::InvalidArgument("X-Amz-Date must be in the ISO8601 basic format yyyyMMdd'T'HHmmss'Z', got '" +
                                           std::string(text.substr(0, 32)) + "'");
  if (text.size() != 16 || text[8] != 'T' || text[15] != 'Z') return bad;
  const auto y = Digits(text.substr(0, 4)), mo = Digits(text.substr(4, 2)), d = Digits(text.substr(6, 2));
  const auto h = Digits(text.substr(9, 2)), mi = Digits(text.substr(11, 2)), s = Digits(text.substr(13, 2));
  if (!y || !mo || !d || !h || !mi || !s) return bad;
  std::optional<int64_t> seconds = UnixSeconds(*y, *mo, *d, *h, *mi, *s);
  if (!seconds) return bad;
  return *seconds;
}

Result<int64_t> ParseHttpDate(std::string_view text) {
  // "Fri, 27 Nov 2026 00:34:43 GMT": the weekday is not checked.
  const auto bad = Status::InvalidArgument("Date must be like 'Fri, 27 Nov 2026 00:34:43 GMT', got '" +
                                           std::string(text.substr(0, 40)) + "'");
  if (text.size() != 29 || text.substr(3, 2) != ", " || text.substr(25) != " GMT") return bad;
  static constexpr std::array<std::string_view, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                               "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const auto month = std::find(kMonths.begin(), kMonths.end(), text.substr(8, 3));
  if (month == kMonths.end() || text[7] != ' ' || text[11] != ' ' || text[16] != ' ' || text[19] != ':' ||
      text[22] != ':') {
    return bad;
  }
  const auto d = Digits(text.substr(5, 2)), y = Digits(text.substr(12, 4));
  const auto h = Digits(text.substr(17, 2)), mi = Digits(text.substr(20, 2)), s = Digits(text.substr(23, 2));
  if (!d || !y || !h || !mi || !s) return bad;
  std::optional<int64_t> seconds = UnixSeconds(*y, static_cast<int>(month - kMonths.begin()) + 1, *d, *h, *mi, *s);
  if (!seconds) return bad;
  return *seconds;
}

std::string FormatAmzDate(int64_t unix_seconds) {
  using namespace std::chrono;
  const sys_seconds t{seconds(unix_seconds)};
  const sys_days day = floor<days>(t);
  const year_month_day date(day);
  const hh_mm_ss<seconds> time(t - day);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d%02u%02uT%02lld%02lld%02lldZ", static_cast<int>(date.year()),
                static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                static_cast<long long>(time.hours().count()), static_cast<long long>(time.minutes().count()),
                static_cast<long long>(time.seconds().count()));
  return buf;
}

std::string CanonicalRequest(const SignedRequest& request, const std::vector<std::string>& signed_headers,
                             std::string_view payload_hash) {
  std::string out = std::string(request.method) + "\n";
  // The path as received is encoded once more: non-S3 services sign the double-encoded path.
  out += PercentEncode(request.path.empty() ? "/" : request.path, KeepSlash::kYes);
  out += '\n';
  out += CanonicalQuery(request.query);
  out += '\n';
  std::string names;
  for (const std::string& name : signed_headers) {
    auto it = request.headers.find(name);
    out += name + ":" + (it == request.headers.end() ? "" : CanonicalHeaderValue(it->second)) + "\n";
    names += (names.empty() ? "" : ";") + name;
  }
  return out + "\n" + names + "\n" + std::string(payload_hash);
}

std::string StringToSign(std::string_view amz_date, const CredentialScope& scope, std::string_view canonical_request) {
  return std::string(kSigV4Algorithm) + "\n" + std::string(amz_date) + "\n" + scope.ToString() + "\n" +
         Sha256Hex(canonical_request);
}

std::string SigningKey(std::string_view secret, const CredentialScope& scope) {
  std::string key = HmacSha256("AWS4" + std::string(secret), scope.date);
  key = HmacSha256(key, scope.region);
  key = HmacSha256(key, scope.service);
  return HmacSha256(key, "aws4_request");
}

std::string Signature(std::string_view secret, std::string_view amz_date, const CredentialScope& scope,
                      std::string_view canonical_request) {
  return HmacSha256Hex(SigningKey(secret, scope), StringToSign(amz_date, scope, canonical_request));
}

std::string AuthorizationHeader(const SignedRequest& request, std::string_view access_key_id, std::string_view secret,
                                const CredentialScope& scope, std::string_view amz_date,
                                const std::vector<std::string>& signed_headers) {
  std::string names;
  for (const std::string& name : signed_headers) names += (names.empty() ? "" : ";") + name;
  const std::string canonical = CanonicalRequest(request, signed_headers, Sha256Hex(request.body));
  return std::string(kSigV4Algorithm) + " Credential=" + std::string(access_key_id) + "/" + scope.ToString() +
         ", SignedHeaders=" + names + ", Signature=" + Signature(secret, amz_date, scope, canonical);
}

}  // namespace nightshift::auth
