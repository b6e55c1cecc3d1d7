// The command line as data: the tree read back from a CLI11 app, the usage hints and the
// completion scripts made from it.
#include <CLI/CLI.hpp>
#include <gtest/gtest.h>

#include <memory>

#include "cli/command_tree.h"
#include "cli/completion.h"
#include "cli/usage_hint.h"

namespace nightshift::cli {
namespace {

Command Verb(const std::string& name) {
  return {name, "the " + name + " verb", [](CLI::App& app) -> std::function<int()> {
            auto value = std::make_shared<std::string>();
            auto flag = std::make_shared<bool>();
            app.add_option("--queue,-q", *value, "Job queue");
            app.add_flag("--quiet", *flag, "Say less");
            app.add_option("id", *value, "An argument");
            return [value, flag] { return 0; };
          }};
}

CommandNode Tree() {
  static CLI::App app{"test", "nightshift"};
  static std::function<int()> chosen;
  static bool built = false;
  if (!built) {
    AddCommands(app, {Command{.name = "job", .help = "Jobs", .verbs = {Verb("submit"), Verb("list")}}, Verb("logs")},
                chosen);
    built = true;
  }
  return DescribeApp(app);
}

TEST(CommandTreeTest, DescribesCommandsAndFlagsWithoutPositionals) {
  const CommandNode root = Tree();
  ASSERT_EQ(root.children.size(), 2u);
  const CommandNode& submit = root.children[0].children[0];
  EXPECT_EQ(submit.name, "submit");
  ASSERT_EQ(submit.flags.size(), 3u);  // --help, --queue, --quiet
  EXPECT_EQ(submit.flags[1].names, (std::vector<std::string>{"--queue", "-q"}));
  EXPECT_TRUE(submit.flags[1].takes_value);
  EXPECT_FALSE(submit.flags[2].takes_value);
}

std::optional<UsageProblem> Problem(std::vector<std::string> args) { return FindUsageProblem(Tree(), args); }

TEST(UsageHintTest, SuggestsTheNearestCommand) {
  auto p = Problem({"jbo", "list"});
  ASSERT_TRUE(p);
  EXPECT_EQ(p->command, "nightshift");
  EXPECT_EQ(p->message, "unknown command 'jbo' (did you mean 'job'?)");
  p = Problem({"job", "sumbit"});
  ASSERT_TRUE(p);
  EXPECT_EQ(p->command, "nightshift job");
  EXPECT_EQ(p->message, "unknown command 'sumbit' (did you mean 'submit'?)");
}

TEST(UsageHintTest, SuggestsTheNearestFlagOfTheVerb) {
  auto p = Problem({"job", "submit", "--queu", "x"});
  ASSERT_TRUE(p);
  EXPECT_EQ(p->command, "nightshift job submit");
  EXPECT_EQ(p->message, "unknown flag '--queu' (did you mean '--queue'?)");
  p = Problem({"job", "submit", "--queue=a", "--quite"});
  ASSERT_TRUE(p);
  EXPECT_EQ(p->message, "unknown flag '--quite' (did you mean '--quiet'?)");
}

TEST(UsageHintTest, NamesTheCommandsOfAGroupWhenNoneIsGiven) {
  auto p = Problem({"job"});
  ASSERT_TRUE(p);
  EXPECT_EQ(p->message, "a command is required: submit, list");
}

TEST(UsageHintTest, NoHintForAValidLineOrAFlagValueThatLooksLikeACommand) {
  EXPECT_FALSE(Problem({"job", "submit", "-q", "list", "some-id"}));
  EXPECT_FALSE(Problem({"logs", "id", "--", "--not-a-flag"}));
  EXPECT_EQ(Problem({"job", "list", "--bogus"})->message, "unknown flag '--bogus'");
}

TEST(CompletionTest, BashScriptCompletesVerbsAndFlagsOfTheTree) {
  const std::string s = BashCompletion(Tree());
  EXPECT_NE(s.find("complete -F _nightshift nightshift"), std::string::npos);
  EXPECT_NE(s.find("\"|job\") p=\"job\";;"), std::string::npos) << s;
  EXPECT_NE(s.find("\"job|submit\") p=\"job submit\";;"), std::string::npos) << s;
  EXPECT_NE(s.find("\"job\") candidates='--help -h submit list'") == std::string::npos
                ? s.find("\"job\") candidates='submit list --help -h'")
                : 0,
            std::string::npos)
      << s;
  EXPECT_NE(s.find("\"job submit\") candidates='--help -h --queue -q --quiet'"), std::string::npos) << s;
  // A flag's value is skipped when finding the verb: "-q list" does not descend into "list".
  EXPECT_NE(s.find("\"job submit|--queue\"|\"job submit|-q\") skip=1;;"), std::string::npos) << s;
}

TEST(CompletionTest, ZshScriptDescribesEachWord) {
  const std::string s = ZshCompletion(Tree());
  EXPECT_EQ(s.rfind("#compdef nightshift\n", 0), 0u);
  EXPECT_NE(s.find("'submit:the submit verb'"), std::string::npos) << s;
  EXPECT_NE(s.find("'--queue:Job queue'"), std::string::npos) << s;
  EXPECT_NE(s.find("_describe"), std::string::npos);
}

}  // namespace
}  // namespace nightshift::cli
