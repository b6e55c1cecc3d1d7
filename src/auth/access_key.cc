#include "auth/access_key.h"

#include <algorithm>
#include <cctype>

namespace nightshift::auth {
namespace {

bool IsKeyIdChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-'; }

bool IsSecretChar(char c) {
  const auto u = static_cast<unsigned char>(c);
  return u > 0x20 && u != 0x7f && c != ':' && c != ',';
}

// The text up to the next ':' (all of it if none), and `rest` moved past that ':'.
std::string_view NextField(std::string_view& rest) {
  const size_t colon = rest.find(':');
  std::string_view field = rest.substr(0, colon);
  rest = colon == std::string_view::npos ? std::string_view() : rest.substr(colon + 1);
  return field;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

}  // namespace

Result<AccessKey> ParseAccessKey(std::string_view spec) {
  std::string_view rest = spec;
  const std::string_view id = NextField(rest);
  const bool has_secret = spec.find(':') != std::string_view::npos;
  const std::string_view secret = NextField(rest);
  const bool has_role = !rest.empty();
  const std::string_view role = NextField(rest);
  const std::string_view token = rest;
  if (id.empty() || id.size() > 128 || !std::all_of(id.begin(), id.end(), IsKeyIdChar)) {
    return Status::InvalidArgument("an access key is ID:SECRET[:ROLE[:SESSION_TOKEN]], its ID 1-128 letters, digits, "
                                   "'_' or '-'");
  }
  const std::string where = "access key " + std::string(id) + ": ";
  if (!has_secret || secret.empty() || !std::all_of(secret.begin(), secret.end(), IsSecretChar)) {
    return Status::InvalidArgument(where + "the secret must be non-empty, without spaces, ':' or ','");
  }
  std::optional<Role> parsed_role = has_role ? ParseRole(role) : Role::kAdmin;
  if (!parsed_role) {
    return Status::InvalidArgument(where + "the role must be viewer, operator or admin, not '" + std::string(role) + "'");
  }
  if (!std::all_of(token.begin(), token.end(), [](char c) { return c == ':' || IsSecretChar(c); })) {
    return Status::InvalidArgument(where + "the session token must be without spaces or ','");
  }
  return AccessKey{std::string(id), std::string(secret), *parsed_role, std::string(token)};
}

Result<std::vector<AccessKey>> ParseAccessKeyFile(std::string_view text, std::string_view file_name) {
  std::vector<AccessKey> keys;
  int line_number = 0;
  while (!text.empty()) {
    const size_t newline = text.find('\n');
    const std::string_view line = Trim(text.substr(0, newline));
    text = newline == std::string_view::npos ? std::string_view() : text.substr(newline + 1);
    ++line_number;
    if (line.empty() || line.front() == '#') continue;
    Result<AccessKey> key = ParseAccessKey(line);
    if (!key.ok()) {
      return Status::InvalidArgument(std::string(file_name) + ":" + std::to_string(line_number) + ": " +
                                     key.status().message());
    }
    keys.push_back(std::move(*key));
  }
  return keys;
}

Status KeyRing::Add(AccessKey key) {
  if (keys_.count(key.id) != 0) return Status::InvalidArgument("access key " + key.id + " is configured twice");
  std::string id = key.id;
  keys_.emplace(std::move(id), std::move(key));
  return Status::Ok();
}

const AccessKey* KeyRing::Find(std::string_view id) const {
  auto it = keys_.find(id);
  return it == keys_.end() ? nullptr : &it->second;
}

bool KeyRing::HasRole(Role role) const {
  for (const auto& [id, key] : keys_) {
    if (key.role == role) return true;
  }
  return false;
}

}  // namespace nightshift::auth
