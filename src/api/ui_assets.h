// UiAssets: the web UI's built files (web/dist, which the build copies next to the binary as
// ui/), served by the server itself so that the UI needs no other process and no network:
//   GET /        -> 302 to /ui/
//   GET /ui/...  -> the file the path names under the UI directory; any other path under /ui
//                   without a file extension is one of the UI's own client-side routes and gets
//                   index.html (a missing "x.js" stays a 404, never HTML).
// Files under /ui/assets/ carry a content hash in their names: cached for a year as immutable.
// Everything else is revalidated (no-cache, with an ETag). Paths are resolved one decoded
// segment at a time: "..", ".", hidden names, NUL and backslashes are refused, and the resolved
// file (symlinks followed) must lie inside the directory, so nothing outside it is reachable.
// A missing directory or index.html answers 503 with a page that says how to build the UI.
// The files are public: they hold no data (the data comes from the API, which checks roles).
// Thread-safety: const after construction; reads files on the calling thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "api/http_types.h"

namespace nightshift::api {

// Whether the request is for the UI: a GET of "/" or of a path under "/ui".
bool IsUiRequest(const HttpRequest& request);

// "text/javascript; charset=utf-8" for "a.js", ...; "application/octet-stream" when unknown.
std::string_view ContentTypeFor(std::string_view file_name);

// The file a UI path names, relative to the UI directory ("/ui/assets/a.js" -> "assets/a.js",
// "/ui" and "/ui/" -> "index.html"); nullopt for a path that may not name a file (a segment
// that is "..", ".", hidden, or holds '/', '\' or NUL once decoded).
std::optional<std::string> UiRelativePath(const std::string& path);

class UiAssets {
 public:
  // `dir`: the directory holding the built UI (index.html, assets/); "" for none.
  explicit UiAssets(std::string dir);

  const std::string& dir() const { return dir_; }
  // Whether `dir` holds a built UI (index.html).
  bool Present() const;
  // The answer to a UI request (IsUiRequest(request) must hold).
  HttpResponse Serve(const HttpRequest& request) const;

 private:
  HttpResponse ServeFile(const std::string& relative, const HttpRequest& request) const;
  HttpResponse NotBuilt() const;

  std::string dir_;
};

}  // namespace nightshift::api
