#include "api/ui_assets.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace nightshift::api {
namespace {

namespace fs = std::filesystem;

// A built UI in a fresh directory, and a secret file beside it that must stay unreachable.
class UiAssetsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "ui-assets-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    root_ = tmpl;
    ui_ = root_ / "ui";
    fs::create_directories(ui_ / "assets");
    Write(ui_ / "index.html", "<!doctype html><title>nightshift</title>");
    Write(ui_ / "assets" / "main-abc123.js", "console.log(1)");
    Write(ui_ / "favicon.svg", "<svg/>");
    Write(root_ / "secret.txt", "top secret");
    fs::create_symlink(root_ / "secret.txt", ui_ / "link.txt");
  }
  void TearDown() override { fs::remove_all(root_); }

  static void Write(const fs::path& path, const std::string& text) { std::ofstream(path) << text; }

  HttpResponse Get(const std::string& path, const std::string& dir = "") {
    HttpRequest request;
    request.method = "GET";
    request.path = path;
    EXPECT_TRUE(IsUiRequest(request)) << path;
    return UiAssets(dir.empty() ? ui_.string() : dir).Serve(request);
  }

  static std::string HeaderOf(const HttpResponse& r, const std::string& name) {
    for (const auto& [n, v] : r.headers) {
      if (n == name) return v;
    }
    return "";
  }

  fs::path root_;
  fs::path ui_;
};

TEST(UiPathTest, NamesFilesUnderTheUiDirectoryOnly) {
  EXPECT_EQ(UiRelativePath("/ui"), "index.html");
  EXPECT_EQ(UiRelativePath("/ui/"), "index.html");
  EXPECT_EQ(UiRelativePath("/ui/assets/a.js"), "assets/a.js");
  EXPECT_EQ(UiRelativePath("/ui//assets//a.js"), "assets/a.js");
  EXPECT_EQ(UiRelativePath("/ui/pipelines/my%20etl"), "pipelines/my etl");
  EXPECT_EQ(UiRelativePath("/uix/a.js"), std::nullopt);
  EXPECT_EQ(UiRelativePath("/api/v1/x"), std::nullopt);
}

TEST(UiPathTest, RefusesTraversalInEveryEncoding) {
  for (const char* path : {"/ui/../secret.txt", "/ui/%2e%2e/secret.txt", "/ui/..%2fsecret.txt",
                           "/ui/assets/..%2F..%2Fsecret.txt", "/ui/.hidden", "/ui/a%5c..%5csecret.txt",
                           "/ui/a%00.js", "/ui/./index.html"}) {
    EXPECT_EQ(UiRelativePath(path), std::nullopt) << path;
  }
}

TEST(UiPathTest, KnowsTheContentTypes) {
  EXPECT_EQ(ContentTypeFor("index.html"), "text/html; charset=utf-8");
  EXPECT_EQ(ContentTypeFor("assets/main-1.js"), "text/javascript; charset=utf-8");
  EXPECT_EQ(ContentTypeFor("assets/main-1.css"), "text/css; charset=utf-8");
  EXPECT_EQ(ContentTypeFor("logo.svg"), "image/svg+xml");
  EXPECT_EQ(ContentTypeFor("blob"), "application/octet-stream");
}

TEST(UiRequestTest, IsAGetOfTheRootOrUnderUi) {
  HttpRequest r;
  r.method = "GET";
  for (const char* path : {"/", "/ui", "/ui/jobs"}) {
    r.path = path;
    EXPECT_TRUE(IsUiRequest(r)) << path;
  }
  for (const char* path : {"/schedules", "/v1/listjobs", "/api/v1/pipelines", "/uix", "/healthz"}) {
    r.path = path;
    EXPECT_FALSE(IsUiRequest(r)) << path;
  }
  r.path = "/ui/";
  r.method = "POST";
  EXPECT_FALSE(IsUiRequest(r));
}

TEST_F(UiAssetsTest, TheRootRedirectsToTheUi) {
  HttpResponse r = Get("/");
  EXPECT_EQ(r.status, 302);
  EXPECT_EQ(HeaderOf(r, "Location"), "/ui/");
}

TEST_F(UiAssetsTest, ServesIndexWithoutLongCaching) {
  HttpResponse r = Get("/ui/");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "text/html; charset=utf-8");
  EXPECT_EQ(HeaderOf(r, "Cache-Control"), "no-cache");
  EXPECT_NE(HeaderOf(r, "Content-Security-Policy").find("default-src 'self'"), std::string::npos);
  EXPECT_NE(r.body.find("<title>nightshift</title>"), std::string::npos);
}

TEST_F(UiAssetsTest, HashedAssetsAreImmutable) {
  HttpResponse r = Get("/ui/assets/main-abc123.js");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(HeaderOf(r, "Cache-Control"), "public, max-age=31536000, immutable");
  EXPECT_EQ(r.body, "console.log(1)");
}

TEST_F(UiAssetsTest, AnUnchangedFileAnswers304) {
  HttpResponse first = Get("/ui/favicon.svg");
  HttpRequest again;
  again.method = "GET";
  again.path = "/ui/favicon.svg";
  again.headers["if-none-match"] = HeaderOf(first, "ETag");
  HttpResponse r = UiAssets(ui_.string()).Serve(again);
  EXPECT_EQ(r.status, 304);
  EXPECT_TRUE(r.body.empty());
}

TEST_F(UiAssetsTest, ClientRoutesGetIndexButMissingFilesAre404) {
  HttpResponse route = Get("/ui/pipelines/nightly-etl");
  EXPECT_EQ(route.status, 200);
  EXPECT_NE(route.body.find("<title>nightshift</title>"), std::string::npos);
  EXPECT_EQ(Get("/ui/assets/missing-1.js").status, 404);
}

TEST_F(UiAssetsTest, NothingOutsideTheDirectoryIsReachable) {
  for (const char* path : {"/ui/../secret.txt", "/ui/%2e%2e/secret.txt", "/ui/..%2fsecret.txt",
                           "/ui/assets/..%2F..%2Fsecret.txt", "/ui/link.txt"}) {
    HttpResponse r = Get(path);
    EXPECT_EQ(r.status, 404) << path;
    EXPECT_EQ(r.body.find("top secret"), std::string::npos) << path;
  }
}

TEST_F(UiAssetsTest, AMissingBuildSaysHowToBuildIt) {
  HttpResponse r = Get("/ui/", (root_ / "nowhere").string());
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.content_type, "text/html; charset=utf-8");
  EXPECT_NE(r.body.find("The web UI is not built"), std::string::npos);
  EXPECT_NE(r.body.find("scripts/build.sh"), std::string::npos);
  EXPECT_EQ(UiAssets("").Serve([] {
              HttpRequest q;
              q.method = "GET";
              q.path = "/ui/jobs";
              return q;
            }()).status,
            503);
}

}  // namespace
}  // namespace nightshift::api
