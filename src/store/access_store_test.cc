// The access-control tables of the SQLite store: API tokens kept and replaced by id (only the
// secret's hash), the audit log appended in order and read newest first with filters and pages.
#include <gtest/gtest.h>

#include "store/sqlite_store.h"
#include "store/store_test_util.h"

namespace nightshift::store {
namespace {

using testing::OpenOrDie;
using testing::TempDir;

auth::AuditRecord Record(TimeMs at, std::string actor, std::string operation) {
  return {.at = at, .actor = std::move(actor), .role = "operator", .operation = std::move(operation),
          .resource = "job-1", .source = "127.0.0.1:5000", .status = 200};
}

std::vector<TimeMs> Times(const AuditPage& page) {
  std::vector<TimeMs> at;
  for (const auth::AuditRecord& r : page.records) at.push_back(r.at);
  return at;
}

TEST(AccessStoreTest, TokensSurviveReopeningAndAreReplacedById) {
  TempDir dir;
  const auth::ApiToken token{.id = "00112233aabbccdd", .name = "ci", .role = auth::Role::kOperator,
                             .secret_hash = "ab12", .created_at = 5, .expires_at = 99};
  {
    auto store = OpenOrDie(dir.File("s.db"));
    ASSERT_TRUE(store->Commit({.api_tokens = {token}}).ok());
    auth::ApiToken revoked = token;
    revoked.revoked_at = 7;
    revoked.last_used_at = 6;
    ASSERT_TRUE(store->Commit({.api_tokens = {revoked}}).ok());
  }
  auto store = OpenOrDie(dir.File("s.db"));
  Result<Snapshot> snapshot = store->Load();
  ASSERT_TRUE(snapshot.ok());
  ASSERT_EQ(snapshot->api_tokens.size(), 1u);
  const auth::ApiToken& t = snapshot->api_tokens[0];
  EXPECT_EQ(t.id, token.id);
  EXPECT_EQ(t.name, "ci");
  EXPECT_EQ(t.role, auth::Role::kOperator);
  EXPECT_EQ(t.secret_hash, "ab12");
  EXPECT_EQ(t.created_at, 5);
  EXPECT_EQ(t.expires_at, 99);
  EXPECT_EQ(t.revoked_at, 7);
  EXPECT_EQ(t.last_used_at, 6);
}

TEST(AccessStoreTest, AuditIsNewestFirstFilteredAndPaged) {
  TempDir dir;
  auto store = OpenOrDie(dir.File("s.db"));
  ASSERT_TRUE(store->Commit({.audit_records = {Record(10, "AKID", "batch:SubmitJob"),
                                               Record(20, "token:ab", "batch:SubmitJob")}})
                  .ok());
  ASSERT_TRUE(store->Commit({.audit_records = {Record(30, "AKID", "batch:CancelJob"),
                                               Record(40, "AKID", "batch:SubmitJob")}})
                  .ok());
  Result<AuditPage> all = store->ListAudit({});
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  EXPECT_EQ(Times(*all), (std::vector<TimeMs>{40, 30, 20, 10}));
  EXPECT_EQ(all->records[0].resource, "job-1");
  EXPECT_EQ(all->records[0].source, "127.0.0.1:5000");
  EXPECT_EQ(all->records[0].status, 200);
  EXPECT_EQ(Times(*store->ListAudit({.actor = "AKID"})), (std::vector<TimeMs>{40, 30, 10}));
  EXPECT_EQ(Times(*store->ListAudit({.operation = "batch:SubmitJob"})), (std::vector<TimeMs>{40, 20, 10}));
  EXPECT_EQ(Times(*store->ListAudit({.since = 20, .actor = "AKID"})), (std::vector<TimeMs>{40, 30}));

  Result<AuditPage> first = store->ListAudit({.limit = 3});
  EXPECT_EQ(Times(*first), (std::vector<TimeMs>{40, 30, 20}));
  ASSERT_FALSE(first->next_token.empty());
  Result<AuditPage> second = store->ListAudit({.limit = 3, .page_token = first->next_token});
  EXPECT_EQ(Times(*second), (std::vector<TimeMs>{10}));
  EXPECT_TRUE(second->next_token.empty());
  EXPECT_EQ(store->ListAudit({.page_token = "zz"}).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace nightshift::store
