#include "api/aws_error.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace nightshift::api {
namespace {

// Found by http_fuzz: an Authorization header holding a byte that is not UTF-8 was quoted in the
// 4xx message, and serializing that message threw — the server died on one unauthenticated request.
TEST(AwsErrorTest, AMessageQuotingBytesThatAreNotUtf8IsStillAnswered) {
  const HttpResponse r = ErrorResponse(AwsService::kBatch, 403, "IncompleteSignatureException",
                                       std::string("bad header Signat\xed") + "re=0");
  EXPECT_EQ(r.status, 403);
  const nlohmann::json body = nlohmann::json::parse(r.body, nullptr, /*allow_exceptions=*/false);
  ASSERT_FALSE(body.is_discarded()) << r.body;
  EXPECT_EQ(body["__type"], "IncompleteSignatureException");
  EXPECT_EQ(body["message"], "bad header Signat\xef\xbf\xbdre=0");  // U+FFFD in place of the byte
}

}  // namespace
}  // namespace nightshift::api
