#include "store/job_codec.h"

#include <gtest/gtest.h>

#include "store/resource_codec.h"
#include "store/store_test_util.h"
#include "store/wire_format.h"

namespace nightshift::store {
namespace {

using testing::ExpectJobEq;
using testing::FullJob;

// The members the jobs table keeps in columns (jobs_table.h); the doc carries the rest.
core::Job ColumnsOnly(const core::Job& job) {
  core::Job columns;
  columns.id = job.id;
  columns.seq = job.seq;
  columns.name = job.name;
  columns.queue = job.queue;
  columns.state = job.state;
  columns.created_at = job.created_at;
  columns.parent_id = job.parent_id;
  columns.array_index = job.array_index;
  columns.definition = job.definition;
  columns.share_identifier = job.share_identifier;
  return columns;
}

core::Job RoundTrip(const core::Job& job) {
  SpecInterner specs;
  Result<core::Job> decoded = DecodeJobDoc(EncodeJobDoc(job), ColumnsOnly(job), specs);
  EXPECT_TRUE(decoded.ok()) << decoded.status().ToString();
  return decoded.ok() ? decoded.value() : core::Job();
}

TEST(JobCodecTest, RoundTripsEveryMember) { ExpectJobEq(FullJob(), RoundTrip(FullJob())); }

TEST(JobCodecTest, RoundTripsDefaultJob) {
  core::Job job;
  job.spec = std::make_shared<const core::JobSpec>();
  core::Job decoded = RoundTrip(job);
  ExpectJobEq(job, decoded);
  ASSERT_NE(decoded.spec, nullptr);
  EXPECT_EQ(decoded.spec->resources.vcpus, 1);  // a non-zero default survives
  EXPECT_EQ(decoded.spec->retry.attempts, 1);
}

TEST(JobCodecTest, RoundTripsNullSpec) {
  core::Job job = FullJob();
  job.spec = nullptr;
  EXPECT_EQ(RoundTrip(job).spec, nullptr);
}

TEST(JobCodecTest, RoundTripsZeroVcpusAndAttempts) {
  core::Job job;
  job.spec = std::make_shared<const core::JobSpec>(
      core::JobSpec{.resources = {.vcpus = 0}, .retry = {.attempts = 0}});
  ExpectJobEq(job, RoundTrip(job));
}

TEST(JobCodecTest, DocLeavesColumnMembersOut) {
  core::Job job = FullJob();
  std::string doc = EncodeJobDoc(job);
  EXPECT_EQ(doc.find(job.parent_id), std::string::npos);
  EXPECT_EQ(doc.find(job.name), std::string::npos);
}

// Fails when a member is added to a model type: add it to the codec (job_codec.cc or
// resource_codec.cc, or a column in jobs_table.cc), to Full*() and Expect*Eq in
// store_test_util.cc, then update the size here. (Sizes of GCC's libstdc++ on x86-64.)
TEST(JobCodecTest, CodecCoversEveryMemberOfTheModel) {
#if !defined(__x86_64__) || !defined(__GLIBCXX__)
  GTEST_SKIP() << "sizes recorded for libstdc++ on x86-64";
#endif
  EXPECT_EQ(sizeof(core::Job), 552u);
  EXPECT_EQ(sizeof(core::JobSpec), 384u);
  EXPECT_EQ(sizeof(core::Attempt), 120u);
  EXPECT_EQ(sizeof(core::Dependency), 40u);
  EXPECT_EQ(sizeof(core::ComputeEnvironment), 328u);
  EXPECT_EQ(sizeof(core::JobQueue), 216u);
  EXPECT_EQ(sizeof(core::JobDefinition), 640u);
}

TEST(JobCodecTest, InternerSharesIdenticalSpecs) {
  core::Job a = FullJob();
  core::Job b = FullJob();  // an equal spec in another object
  SpecInterner specs;
  auto da = DecodeJobDoc(EncodeJobDoc(a), ColumnsOnly(a), specs);
  auto db = DecodeJobDoc(EncodeJobDoc(b), ColumnsOnly(b), specs);
  ASSERT_TRUE(da.ok() && db.ok());
  EXPECT_EQ(da->spec.get(), db->spec.get());
}

TEST(JobCodecTest, SkipsUnknownFields) {
  core::Job job = FullJob();
  std::string doc = EncodeJobDoc(job);
  wire::Writer(doc).Bytes(999, "from a newer nightshift");
  SpecInterner specs;
  auto decoded = DecodeJobDoc(doc, ColumnsOnly(job), specs);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  ExpectJobEq(job, *decoded);
}

TEST(JobCodecTest, CorruptDocIsAnInternalErrorNamingTheJob) {
  core::Job job = FullJob();
  std::string doc = EncodeJobDoc(job);
  doc.resize(doc.size() / 2);
  SpecInterner specs;
  auto decoded = DecodeJobDoc(doc, ColumnsOnly(job), specs);
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.status().code(), StatusCode::kInternal);
  EXPECT_NE(decoded.status().message().find(job.id), std::string::npos);
}

TEST(JobCodecTest, UnknownEnumValueIsAnError) {
  std::string doc;
  wire::Writer w(doc);
  size_t mark = w.BeginNested(2);  // a dependency
  w.Uint(2, 77);                   // its type
  w.EndNested(mark);
  SpecInterner specs;
  auto decoded = DecodeJobDoc(doc, core::Job{.id = "x"}, specs);
  ASSERT_FALSE(decoded.ok());
  EXPECT_NE(decoded.status().message().find("unknown DependencyType 77"), std::string::npos)
      << decoded.status().message();
}

TEST(ResourceCodecTest, RoundTripsComputeEnvironment) {
  auto decoded =
      DecodeComputeEnvironment(EncodeComputeEnvironment(testing::FullComputeEnvironment()));
  ASSERT_TRUE(decoded.ok());
  testing::ExpectComputeEnvironmentEq(testing::FullComputeEnvironment(), *decoded);
  auto defaults = DecodeComputeEnvironment(EncodeComputeEnvironment({}));
  ASSERT_TRUE(defaults.ok());
  testing::ExpectComputeEnvironmentEq({}, *defaults);
}

TEST(ResourceCodecTest, RoundTripsJobQueue) {
  auto decoded = DecodeJobQueue(EncodeJobQueue(testing::FullJobQueue()));
  ASSERT_TRUE(decoded.ok());
  testing::ExpectJobQueueEq(testing::FullJobQueue(), *decoded);
  auto defaults = DecodeJobQueue(EncodeJobQueue({}));
  ASSERT_TRUE(defaults.ok());
  testing::ExpectJobQueueEq({}, *defaults);
}

TEST(ResourceCodecTest, RoundTripsJobDefinition) {
  auto decoded = DecodeJobDefinition(EncodeJobDefinition(testing::FullJobDefinition()));
  ASSERT_TRUE(decoded.ok());
  testing::ExpectJobDefinitionEq(testing::FullJobDefinition(), *decoded);
  auto defaults = DecodeJobDefinition(EncodeJobDefinition({}));
  ASSERT_TRUE(defaults.ok());
  testing::ExpectJobDefinitionEq({}, *defaults);
}

}  // namespace
}  // namespace nightshift::store
