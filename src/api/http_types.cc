#include "api/http_types.h"

#include <cctype>

namespace nightshift::api {

const std::string& HttpRequest::Header(const std::string& name) const {
  static const std::string kEmpty;
  auto it = headers.find(name);
  return it == headers.end() ? kEmpty : it->second;
}

void SetTarget(HttpRequest& request, std::string_view target) {
  const size_t q = target.find('?');
  request.path = std::string(target.substr(0, q));
  request.query = q == std::string_view::npos ? std::string() : std::string(target.substr(q + 1));
}

void AddHeader(HttpRequest& request, std::string_view name, std::string_view value) {
  std::string lower(name);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  auto [it, added] = request.headers.try_emplace(std::move(lower), value);
  if (!added) (it->second += ',') += value;
}

std::vector<std::pair<std::string, std::string>> ParseQuery(const std::string& query) {
  std::vector<std::pair<std::string, std::string>> out;
  size_t start = 0;
  while (start <= query.size() && !query.empty()) {
    size_t end = query.find('&', start);
    if (end == std::string::npos) end = query.size();
    std::string part = query.substr(start, end - start);
    if (!part.empty()) {
      size_t eq = part.find('=');
      std::string key = eq == std::string::npos ? part : part.substr(0, eq);
      std::string value = eq == std::string::npos ? "" : part.substr(eq + 1);
      out.emplace_back(PercentDecode(key), PercentDecode(value));
    }
    start = end + 1;
  }
  return out;
}

std::vector<std::string> SplitPath(const std::string& path) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (start < path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string::npos) slash = path.size();
    if (slash > start) parts.push_back(PercentDecode(path.substr(start, slash - start)));
    start = slash + 1;
  }
  return parts;
}

std::string QueryValue(const HttpRequest& request, const std::string& key) {
  for (auto& [k, v] : ParseQuery(request.query)) {
    if (k == key) return v;
  }
  return "";
}

}  // namespace nightshift::api
