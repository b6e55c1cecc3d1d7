#include "api/ui_assets.h"

#include <sys/stat.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>
#include <utility>

namespace nightshift::api {
namespace {

constexpr std::string_view kPrefix = "/ui";
constexpr std::string_view kHashedDir = "assets/";
constexpr off_t kMaxFileBytes = 64 << 20;

// Scripts and styles only from the server itself; the UI talks to no other origin.
constexpr char kContentSecurityPolicy[] =
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

struct TypeByExtension {
  std::string_view extension;
  std::string_view type;
};

constexpr std::array<TypeByExtension, 14> kTypes = {{
    {".html", "text/html; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"},
    {".mjs", "text/javascript; charset=utf-8"},
    {".css", "text/css; charset=utf-8"},
    {".json", "application/json"},
    {".map", "application/json"},
    {".svg", "image/svg+xml"},
    {".png", "image/png"},
    {".ico", "image/x-icon"},
    {".webp", "image/webp"},
    {".woff2", "font/woff2"},
    {".woff", "font/woff"},
    {".txt", "text/plain; charset=utf-8"},
    {".webmanifest", "application/manifest+json"},
}};

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

bool SafeSegment(std::string_view segment) {
  if (segment.empty() || segment.front() == '.') return false;  // ".", "..", hidden files
  return segment.find_first_of(std::string_view("/\\\0", 3)) == std::string_view::npos;
}

// The raw path's segments after "/ui", or nullopt if it is not under "/ui".
std::optional<std::string_view> AfterPrefix(std::string_view path) {
  if (path.substr(0, kPrefix.size()) != kPrefix) return std::nullopt;
  std::string_view rest = path.substr(kPrefix.size());
  if (!rest.empty() && rest.front() != '/') return std::nullopt;  // "/uix" is not ours
  return rest;
}

// The last segment has an extension: it names a file, never a client-side route.
bool LooksLikeFile(std::string_view relative) {
  const size_t slash = relative.rfind('/');
  const std::string_view last = slash == std::string_view::npos ? relative : relative.substr(slash + 1);
  return last.find('.') != std::string_view::npos;
}

std::string RealPath(const std::string& path) {
  std::unique_ptr<char, decltype(&std::free)> real(::realpath(path.c_str(), nullptr), &std::free);
  return real ? std::string(real.get()) : std::string();
}

HttpResponse PlainError(int status, std::string text) {
  HttpResponse r;
  r.status = status;
  r.content_type = "text/plain; charset=utf-8";
  r.body = std::move(text);
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  return r;
}

std::string EntityTag(const struct stat& st) {
  char tag[64];
  std::snprintf(tag, sizeof tag, "\"%llx-%llx\"", static_cast<unsigned long long>(st.st_size),
                static_cast<unsigned long long>(st.st_mtim.tv_sec) * 1'000'000'000ULL +
                    static_cast<unsigned long long>(st.st_mtim.tv_nsec));
  return tag;
}

}  // namespace

bool IsUiRequest(const HttpRequest& request) {
  if (request.method != "GET") return false;
  return request.path == "/" || AfterPrefix(request.path).has_value();
}

std::string_view ContentTypeFor(std::string_view file_name) {
  for (const TypeByExtension& t : kTypes) {
    if (EndsWith(file_name, t.extension)) return t.type;
  }
  return "application/octet-stream";
}

std::optional<std::string> UiRelativePath(const std::string& path) {
  std::optional<std::string_view> rest = AfterPrefix(path);
  if (!rest) return std::nullopt;
  std::string relative;
  size_t start = 0;
  while (start <= rest->size()) {
    size_t end = rest->find('/', start);
    if (end == std::string_view::npos) end = rest->size();
    const std::string_view raw = rest->substr(start, end - start);
    start = end + 1;
    if (raw.empty()) continue;
    const std::string segment = PercentDecode(raw);
    if (!SafeSegment(segment)) return std::nullopt;
    relative += (relative.empty() ? "" : "/") + segment;
  }
  return relative.empty() ? "index.html" : relative;
}

UiAssets::UiAssets(std::string dir) : dir_(std::move(dir)) {}

bool UiAssets::Present() const {
  struct stat st {};
  return !dir_.empty() && ::stat((dir_ + "/index.html").c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

HttpResponse UiAssets::Serve(const HttpRequest& request) const {
  if (request.path == "/") {
    HttpResponse r;
    r.status = 302;
    r.content_type = "text/plain; charset=utf-8";
    r.headers.emplace_back("Location", "/ui/");
    r.body = "The web UI is at /ui/\n";
    return r;
  }
  if (!Present()) return NotBuilt();
  std::optional<std::string> relative = UiRelativePath(request.path);
  if (!relative) return PlainError(404, "not found: " + request.path + "\n");
  struct stat st {};
  const bool exists = ::stat((dir_ + "/" + *relative).c_str(), &st) == 0 && S_ISREG(st.st_mode);
  if (exists) return ServeFile(*relative, request);
  if (LooksLikeFile(*relative)) return PlainError(404, "not found: " + request.path + "\n");
  return ServeFile("index.html", request);  // a client-side route: the UI draws it
}

HttpResponse UiAssets::ServeFile(const std::string& relative, const HttpRequest& request) const {
  const std::string root = RealPath(dir_);
  const std::string real = RealPath(dir_ + "/" + relative);
  // Symlinks may point anywhere: the file itself must lie inside the directory.
  if (root.empty() || real.size() <= root.size() + 1 || real.compare(0, root.size(), root) != 0 ||
      real[root.size()] != '/') {
    return PlainError(404, "not found: " + request.path + "\n");
  }
  struct stat st {};
  if (::stat(real.c_str(), &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > kMaxFileBytes) {
    return PlainError(404, "not found: " + request.path + "\n");
  }
  HttpResponse r;
  r.content_type = std::string(ContentTypeFor(relative));
  const bool hashed = relative.compare(0, kHashedDir.size(), kHashedDir) == 0;
  r.headers.emplace_back("Cache-Control", hashed ? "public, max-age=31536000, immutable" : "no-cache");
  const std::string tag = EntityTag(st);
  r.headers.emplace_back("ETag", tag);
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  if (EndsWith(relative, ".html")) {
    r.headers.emplace_back("Content-Security-Policy", kContentSecurityPolicy);
    r.headers.emplace_back("Referrer-Policy", "no-referrer");
  }
  if (request.Header("if-none-match") == tag) {
    r.status = 304;
    return r;
  }
  std::ifstream in(real, std::ios::binary);
  std::ostringstream body;
  body << in.rdbuf();
  if (!in.good() && !in.eof()) return PlainError(500, "cannot read " + relative + "\n");
  r.body = std::move(body).str();
  return r;
}

HttpResponse UiAssets::NotBuilt() const {
  HttpResponse r;
  r.status = 503;
  r.content_type = "text/html; charset=utf-8";
  r.headers.emplace_back("Cache-Control", "no-cache");
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  const std::string where = dir_.empty() ? std::string("no UI directory is set") : "no index.html in " + dir_;
  std::string escaped;
  for (char c : where) {
    if (c == '<') escaped += "&lt;";
    else if (c == '>') escaped += "&gt;";
    else if (c == '&') escaped += "&amp;";
    else escaped += c;
  }
  r.body =
      "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>nightshift: web UI not built</title>"
      "</head><body style=\"font-family: sans-serif; max-width: 40em; margin: 3em auto; line-height: 1.5\">"
      "<h1>The web UI is not built</h1><p>This server found no built UI (" +
      escaped +
      ").</p><p>Build it with <code>scripts/build.sh</code> (it runs <code>npm ci</code> and "
      "<code>npm run build</code> in <code>web/</code> and copies <code>web/dist</code> to "
      "<code>build/ui</code>), or start the server with <code>--ui-dir DIR</code> pointing at a built UI.</p>"
      "<p>The API works without it: <a href=\"/api/v1/openapi.json\">/api/v1/openapi.json</a>.</p></body></html>\n";
  return r;
}

}  // namespace nightshift::api
