#include "cli/server_security.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

namespace nightshift::cli {
namespace {

Result<ServerSecurity> Load(std::map<std::string, std::string> flags) {
  ConfigInputs in;
  in.flags = std::move(flags);
  Result<Config> config = Config::Resolve(in);
  if (!config.ok()) return config.status();
  return LoadServerSecurity(*config);
}

TEST(ServerSecurityTest, NoKeysAndNoTlsByDefault) {
  Result<ServerSecurity> s = Load({});
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_TRUE(s->keys.empty());
  EXPECT_TRUE(s->tls_cert.empty());
  EXPECT_FALSE(s->insecure);
}

TEST(ServerSecurityTest, KeysComeFromFlagsAndAKeyFile) {
  const std::string path = ::testing::TempDir() + "/keys.txt";
  std::ofstream(path) << "# ops\nB:s2:viewer\n";
  Result<ServerSecurity> s = Load({{"access_key", "A:s1,C:s3:operator:tok"}, {"access_key_file", path}});
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ(s->keys.size(), 3u);
  ASSERT_NE(s->keys.Find("B"), nullptr);
  EXPECT_EQ(s->keys.Find("B")->role, auth::Role::kViewer);
  EXPECT_EQ(s->keys.Find("C")->session_token, "tok");
  std::remove(path.c_str());
}

TEST(ServerSecurityTest, BadKeysAndHalfATlsPairAreErrors) {
  EXPECT_EQ(Load({{"access_key", "A:topsecret:root"}}).status().message(),
            "--access-key: access key A: the role must be viewer, operator or admin, not 'root'");
  EXPECT_FALSE(Load({{"access_key", "A:s,A:t"}}).ok());
  EXPECT_FALSE(Load({{"access_key_file", "/nonexistent/keys.txt"}}).ok());
  EXPECT_FALSE(Load({{"tls_cert", "/c.pem"}}).ok());
  EXPECT_FALSE(Load({{"insecure", "maybe"}}).ok());
}

TEST(ServerSecurityTest, LoopbackAddresses) {
  for (const char* host : {"127.0.0.1", "127.1.2.3", "::1", "[::1]", "::ffff:127.0.0.1"}) {
    EXPECT_TRUE(IsLoopbackHost(host)) << host;
  }
  for (const char* host : {"0.0.0.0", "::", "10.0.0.1", "128.0.0.1", "localhost", "", "::ffff:10.0.0.1"}) {
    EXPECT_FALSE(IsLoopbackHost(host)) << host;
  }
}

TEST(ServerSecurityTest, NonLoopbackNeedsKeysOrInsecure) {
  EXPECT_TRUE(CheckExposure("127.0.0.1", false, false).ok());
  EXPECT_TRUE(CheckExposure("0.0.0.0", true, false).ok());
  EXPECT_TRUE(CheckExposure("0.0.0.0", false, true).ok());
  Status refused = CheckExposure("0.0.0.0", false, false);
  EXPECT_FALSE(refused.ok());
  EXPECT_NE(refused.message().find("--insecure"), std::string::npos);
}

}  // namespace
}  // namespace nightshift::cli
