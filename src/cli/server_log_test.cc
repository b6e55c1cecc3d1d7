#include "cli/server_log.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <spdlog/details/log_msg.h>

namespace nightshift::cli {
namespace {

TEST(ServerLogTest, JsonLinesAreOneParsableObjectEach) {
  auto formatter = MakeJsonLogFormatter();
  spdlog::details::log_msg msg("nightshift", spdlog::level::warn, "a \"quoted\"\nline \xff");
  spdlog::memory_buf_t out;
  formatter->format(msg, out);
  const std::string text(out.data(), out.size());
  ASSERT_EQ(text.back(), '\n');
  EXPECT_EQ(text.find('\n'), text.size() - 1);  // the message's newline is escaped
  nlohmann::json line = nlohmann::json::parse(text);
  EXPECT_EQ(line["level"], "warning");
  EXPECT_EQ(line["message"], "a \"quoted\"\nline \xEF\xBF\xBD");
  EXPECT_EQ(line["time"].get<std::string>().size(), std::string("2024-03-05T02:00:00.123Z").size());
}

}  // namespace
}  // namespace nightshift::cli
