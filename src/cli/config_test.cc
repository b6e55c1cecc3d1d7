#include "cli/config.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "cli/config_file.h"

namespace nightshift::cli {
namespace {

ConfigInputs FileSetting(const std::string& text) {
  ConfigInputs in;
  in.file = *ParseConfigFile(text, "config.toml");
  return in;
}

TEST(ConfigTest, FlagBeatsEnvironmentBeatsFileBeatsDefault) {
  ConfigInputs in = FileSetting("listen = \"127.0.0.1:1\"\nregion = \"eu-west-1\"\nlog_format = \"json\"\n");
  in.environment = {{"NIGHTSHIFT_LISTEN", "127.0.0.1:2"}, {"NIGHTSHIFT_REGION", "ap-south-1"}};
  in.flags = {{"listen", "127.0.0.1:3"}};
  Result<Config> config = Config::Resolve(in);
  ASSERT_TRUE(config.ok()) << config.status().message();
  EXPECT_EQ(config->String("listen"), "127.0.0.1:3");
  EXPECT_EQ(config->Get("listen").origin, "--listen");
  EXPECT_EQ(config->String("region"), "ap-south-1");
  EXPECT_EQ(config->Get("region").origin, "NIGHTSHIFT_REGION");
  EXPECT_EQ(config->String("log_format"), "json");
  EXPECT_EQ(config->Get("log_format").origin, "config.toml:3");
  EXPECT_EQ(config->String("server"), "http://127.0.0.1:8080");
  EXPECT_EQ(config->Get("server").source, ConfigSource::kDefault);
}

TEST(ConfigTest, AnEmptyEnvironmentVariableCountsAsUnset) {
  ConfigInputs in = FileSetting("region = \"eu-west-1\"\n");
  in.environment = {{"NIGHTSHIFT_REGION", ""}};
  EXPECT_EQ(Config::Resolve(in)->String("region"), "eu-west-1");
}

TEST(ConfigTest, ComputedDefaultsFillKeysWithoutAFixedDefault) {
  ConfigInputs in;
  in.computed_defaults = {{"data_dir", "/home/u/.local/share/nightshift"}, {"default_vcpus", "8"}};
  Result<Config> config = Config::Resolve(in);
  ASSERT_TRUE(config.ok());
  EXPECT_EQ(config->String("data_dir"), "/home/u/.local/share/nightshift");
  EXPECT_DOUBLE_EQ(config->Number("default_vcpus"), 8);
  EXPECT_EQ(config->Integer("realtime_priority"), 0);
}

TEST(ConfigTest, AnUnknownKeyIsAnErrorNamingItsLineAndTheNearestKey) {
  Result<std::map<std::string, ConfigValue>> file = ParseConfigFile("region = \"x\"\n\nlisen = \"a:1\"\n", "c.toml");
  ASSERT_FALSE(file.ok());
  EXPECT_EQ(file.status().message(), "c.toml:3:1: unknown key 'lisen' (did you mean 'listen'?)");
}

TEST(ConfigTest, EveryProblemOfAFileIsReported) {
  Result<std::map<std::string, ConfigValue>> file =
      ParseConfigFile("regoin = \"x\"\ndefault_vcpus = \"four\"\n[server]\n", "c.toml");
  ASSERT_FALSE(file.ok());
  const std::string& m = file.status().message();
  EXPECT_NE(m.find("c.toml:1:1: unknown key 'regoin' (did you mean 'region'?)"), std::string::npos) << m;
  EXPECT_NE(m.find("c.toml:2:1: default_vcpus must be a number"), std::string::npos) << m;
  EXPECT_NE(m.find("c.toml:3:2: server must be a string"), std::string::npos) << m;
}

TEST(ConfigTest, ATomlSyntaxErrorHasItsPosition) {
  Result<std::map<std::string, ConfigValue>> file = ParseConfigFile("listen = \n", "c.toml");
  ASSERT_FALSE(file.ok());
  EXPECT_EQ(file.status().message().rfind("c.toml:1:", 0), 0u) << file.status().message();
}

TEST(ConfigTest, BadValuesNameTheirOrigin) {
  ConfigInputs in;
  in.environment = {{"NIGHTSHIFT_REALTIME_PRIORITY", "100"}};
  EXPECT_EQ(Config::Resolve(in).status().message(),
            "NIGHTSHIFT_REALTIME_PRIORITY: realtime_priority must be an integer from 0 to 99, not '100'");
  in.environment.clear();
  in.flags = {{"log_format", "yaml"}};
  EXPECT_EQ(Config::Resolve(in).status().message(), "--log-format: log_format must be one of text, json, not 'yaml'");
  in.flags = {{"default_vcpus", "2x"}};
  EXPECT_FALSE(Config::Resolve(in).ok());
  in.flags = {{"default_vcpus", "1.5"}};
  EXPECT_TRUE(Config::Resolve(in).ok());
}

TEST(ConfigTest, TheEffectiveConfigurationReadsBackAsAConfigFile) {
  ConfigInputs in;
  in.flags = {{"data_dir", "/tmp/a \"quoted\" \\ dir"}, {"default_vcpus", "1.5"}};
  Result<Config> config = Config::Resolve(in);
  ASSERT_TRUE(config.ok());
  const std::string toml = config->ToToml();
  EXPECT_NE(toml.find("listen = \"127.0.0.1:8080\"  # from default"), std::string::npos) << toml;
  EXPECT_NE(toml.find("# from --data-dir"), std::string::npos) << toml;
  Result<std::map<std::string, ConfigValue>> back = ParseConfigFile(toml, "printed.toml");
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->at("data_dir").text, "/tmp/a \"quoted\" \\ dir");
  EXPECT_EQ(back->at("default_vcpus").text, "1.5");
  EXPECT_EQ(back->size(), ConfigKeys().size());
}

TEST(ConfigTest, KeysMapToFlagsAndEnvironmentVariables) {
  EXPECT_EQ(FlagName("data_dir"), "--data-dir");
  EXPECT_EQ(EnvName("data_dir"), "NIGHTSHIFT_DATA_DIR");
  EXPECT_EQ(TomlString("a\"b\\c\n"), "\"a\\\"b\\\\c\\u000A\"");
}

TEST(ConfigTest, AnExplicitConfigPathWinsOverTheEnvironment) {
  EXPECT_EQ(ConfigFilePath("/x.toml", {{"NIGHTSHIFT_CONFIG", "/y.toml"}}), "/x.toml");
  EXPECT_EQ(ConfigFilePath("", {{"NIGHTSHIFT_CONFIG", "/y.toml"}}), "/y.toml");
  EXPECT_EQ(ConfigFilePath("", {{"XDG_CONFIG_HOME", "/nonexistent-dir"}, {"HOME", "/nonexistent-home"}}),
            std::filesystem::exists("/etc/nightshift/config.toml") ? std::optional<std::string>("/etc/nightshift/config.toml")
                                                                   : std::nullopt);
}

}  // namespace
}  // namespace nightshift::cli
