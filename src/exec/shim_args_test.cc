#include "exec/shim_args.h"

#include <gtest/gtest.h>

namespace nightshift::exec {
namespace {

Result<ShimArgs> Parse(const std::vector<std::string>& argv) {
  std::vector<const char*> ptrs;
  ptrs.reserve(argv.size());
  for (const std::string& arg : argv) ptrs.push_back(arg.c_str());
  return ParseShimArgs(static_cast<int>(ptrs.size()), ptrs.data());
}

TEST(ShimArgsTest, FormatThenParseRoundTrips) {
  ShimArgs args{"/data/jobs/j:1/2", 5000, "/work", {"sh", "-c", "echo -- hi"}};
  std::vector<std::string> argv = FormatShimArgv("/bin/nightshift-shim", args);
  EXPECT_EQ(argv[0], "/bin/nightshift-shim");
  Result<ShimArgs> parsed = Parse(argv);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->attempt_dir, args.attempt_dir);
  EXPECT_EQ(parsed->grace_ms, 5000);
  EXPECT_EQ(parsed->working_dir, "/work");
  EXPECT_EQ(parsed->job_argv, args.job_argv);
}

TEST(ShimArgsTest, RejectsMalformedCommandLines) {
  EXPECT_FALSE(Parse({"shim"}).ok());
  EXPECT_FALSE(Parse({"shim", "/d", "10", "/w", "--"}).ok());          // no program
  EXPECT_FALSE(Parse({"shim", "/d", "10", "/w", "-x", "true"}).ok());  // no separator
  EXPECT_FALSE(Parse({"shim", "/d", "-1", "/w", "--", "true"}).ok());
  EXPECT_FALSE(Parse({"shim", "", "10", "/w", "--", "true"}).ok());
}

}  // namespace
}  // namespace nightshift::exec
