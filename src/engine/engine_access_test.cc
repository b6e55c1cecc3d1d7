// Access control in the engine: tokens kept across a restart, revoked once, their use written at
// most once a minute; audit records committed in the same transaction as the turn's changes.
#include "engine/engine_test_fixture.h"

namespace nightshift::engine {
namespace {

using EngineAccessTest = EngineTest;

auth::ApiToken Token(std::string id, auth::Role role = auth::Role::kOperator) {
  return {.id = std::move(id), .name = "ci", .role = role, .secret_hash = "h", .created_at = 1};
}

TEST_F(EngineAccessTest, TokensSurviveARestartAndRevokeKeepsTheFirstTime) {
  ASSERT_TRUE(engine_->AddApiToken(Token("a")).ok());
  EXPECT_EQ(engine_->AddApiToken(Token("a")).code(), StatusCode::kConflict);
  Drain();
  const TimeMs revoked_at = clock_.NowMs();
  ASSERT_TRUE(engine_->RevokeApiToken("a").ok());
  clock_.Advance(1000);
  EXPECT_EQ(engine_->RevokeApiToken("a")->revoked_at, revoked_at);
  EXPECT_EQ(engine_->RevokeApiToken("b").status().code(), StatusCode::kNotFound);
  Drain();
  OpenAndStart();
  const auth::ApiToken* a = engine_->api_tokens().Find("a");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->revoked_at, revoked_at);
  EXPECT_EQ(a->role, auth::Role::kOperator);
}

TEST_F(EngineAccessTest, TokenUseIsWrittenAtMostOnceAMinute) {
  ASSERT_TRUE(engine_->AddApiToken(Token("a")).ok());
  Drain();
  const TimeMs first = clock_.NowMs();
  engine_->NoteTokenUse("a");
  clock_.Advance(auth::kTokenUseResolutionMs - 1);
  engine_->NoteTokenUse("a");
  EXPECT_EQ(engine_->api_tokens().Find("a")->last_used_at, first);
  clock_.Advance(1);
  engine_->NoteTokenUse("a");
  EXPECT_EQ(engine_->api_tokens().Find("a")->last_used_at, clock_.NowMs());
  engine_->NoteTokenUse("unknown");  // ignored
  Drain();
  OpenAndStart();
  EXPECT_EQ(engine_->api_tokens().Find("a")->last_used_at, first + auth::kTokenUseResolutionMs);
}

TEST_F(EngineAccessTest, AnAuditRecordIsCommittedWithTheChangeOfItsTurn) {
  RegisterDefinition();
  Drain();
  const std::string id = Submit("a");
  engine_->RecordAudit({.actor = "AKID", .role = "operator", .operation = "batch:SubmitJob", .resource = id,
                        .status = 200});
  flaky_->set_fail_commits(true);
  Drain();  // the turn's commit fails: neither the job nor its record is stored
  EXPECT_TRUE(store_->ListAudit({})->records.empty());
  EXPECT_FALSE(store_->GetJob(id).value().has_value());
  flaky_->set_fail_commits(false);
  ASSERT_TRUE(RunUntil([&] { return !store_->ListAudit({})->records.empty(); }));
  Result<store::AuditPage> page = engine_->ListAudit({});
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->records.size(), 1u);
  EXPECT_EQ(page->records[0].resource, id);
  EXPECT_EQ(page->records[0].at, clock_.NowMs());
  EXPECT_TRUE(store_->GetJob(id).value().has_value());
}

TEST_F(EngineAccessTest, AnAuditRecordAloneIsCommittedByTheLazyCommit) {
  engine_->RecordAudit({.actor = "AKID", .operation = "batch:CancelJob", .status = 403});
  Drain();  // no turn of its own
  EXPECT_TRUE(store_->ListAudit({})->records.empty());
  ASSERT_TRUE(RunUntil([&] { return !store_->ListAudit({})->records.empty(); }));
}

}  // namespace
}  // namespace nightshift::engine
