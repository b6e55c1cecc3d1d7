// Unit tests of the supervisor protocol's encoding (exec/supervisor_protocol.h).
#include "exec/supervisor_protocol.h"

#include <gtest/gtest.h>

namespace nightshift::exec {
namespace {

TEST(SupervisorProtocolTest, LaunchRoundTripsWithAnyBytes) {
  LaunchMessage launch{"j-1.1", 30000, "/work dir", std::nullopt, false, 42, std::nullopt,
                       {"sh", "-c", "printf 'a\nb'\t", std::string("nul\0inside", 10), ""},
                       {"PATH=/bin", "EMPTY=", "MULTI=line1\nline2"}};
  Result<ToSupervisor> decoded = DecodeToSupervisor(EncodeMessage(launch));
  ASSERT_TRUE(decoded.ok()) << decoded.status().message();
  ASSERT_TRUE(std::holds_alternative<LaunchMessage>(*decoded));
  EXPECT_EQ(std::get<LaunchMessage>(*decoded), launch);
}

TEST(SupervisorProtocolTest, LaunchWithoutEnvironment) {
  LaunchMessage launch{"d.1", 0, "/", std::nullopt, false, 0, std::nullopt, {"true"}, {}};
  Result<ToSupervisor> decoded = DecodeToSupervisor(EncodeMessage(launch));
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(std::get<LaunchMessage>(*decoded), launch);
}

TEST(SupervisorProtocolTest, LaunchCarriesTheContainerToStop) {
  ContainerControl container{"nightshift-j-1", {"podman", "--runtime=runc"}, "/sys/fs/cgroup", "/nightshift/nightshift-j-1",
                             64 << 20};
  LaunchMessage launch{"j.1", 0, "/", std::nullopt, false, 0, container, {"podman", "run", "img"}, {"S=1"}};
  Result<ToSupervisor> decoded = DecodeToSupervisor(EncodeMessage(launch));
  ASSERT_TRUE(decoded.ok()) << decoded.status().message();
  EXPECT_EQ(std::get<LaunchMessage>(*decoded), launch);
  launch.container->podman.clear();  // nothing to stop it with
  EXPECT_FALSE(DecodeToSupervisor(EncodeMessage(launch)).ok());
}

TEST(SupervisorProtocolTest, LaunchCarriesTheCredentialsToRunAs) {
  LaunchMessage launch{"d.1", 0, "/", Credentials{65534, 65534, {}}, true, 7, std::nullopt, {"id"}, {"HOME=/nonexistent"}};
  Result<ToSupervisor> decoded = DecodeToSupervisor(EncodeMessage(launch));
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(std::get<LaunchMessage>(*decoded), launch);
  launch.run_as = Credentials{1000, 1000, {24, 27, 4294967294u}};
  decoded = DecodeToSupervisor(EncodeMessage(launch));
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(std::get<LaunchMessage>(*decoded), launch);
}

TEST(SupervisorProtocolTest, MalformedCredentialsAreRejected) {
  const std::string good = EncodeMessage(LaunchMessage{"d.1", 0, "/", Credentials{1, 2, {}}, false, 0, std::nullopt, {"x"}, {}});
  const std::string field = std::string("\x03\0\0\0", 4) + "1 2";
  const size_t at = good.find(field);
  ASSERT_NE(at, std::string::npos);
  for (const char* bad : {"1 x", "1", "-1 2", "1 2 99999999999"}) {
    std::string text(bad);
    std::string length(4, '\0');
    length[0] = static_cast<char>(text.size());
    std::string packet = good.substr(0, at) + length + text + good.substr(at + field.size());
    EXPECT_FALSE(DecodeToSupervisor(packet).ok()) << bad;
  }
}

TEST(SupervisorProtocolTest, TerminateRoundTrips) {
  TerminateMessage terminate{"j-2.3", 1500};
  Result<ToSupervisor> decoded = DecodeToSupervisor(EncodeMessage(terminate));
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(std::get<TerminateMessage>(*decoded), terminate);
}

TEST(SupervisorProtocolTest, EndedAndHelloRoundTrip) {
  EndedMessage ended{"j-1.1", 17, "kind exited\nexit_code 0\n"};
  Result<FromSupervisor> decoded = DecodeFromSupervisor(EncodeMessage(ended));
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(std::get<EndedMessage>(*decoded), ended);
  HelloMessage hello{"4100-1700000000000"};
  decoded = DecodeFromSupervisor(EncodeMessage(hello));
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(std::get<HelloMessage>(*decoded), hello);
}

TEST(SupervisorProtocolTest, EveryTruncationIsRejected) {
  std::string packet = EncodeMessage(LaunchMessage{"d.1", 5, "/w", Credentials{7, 8, {}}, true, 3, std::nullopt, {"a", "b"}, {"X=1"}});
  // Any prefix that cuts a field is malformed. (Cutting exactly between environment entries
  // leaves a valid launch with fewer variables, which is why the environment comes last and the
  // supervisor never receives partial packets: SOCK_SEQPACKET delivers whole ones.)
  std::string complete_without_env = EncodeMessage(LaunchMessage{"d.1", 5, "/w", Credentials{7, 8, {}}, true, 3, std::nullopt, {"a", "b"}, {}});
  for (size_t n = 0; n < packet.size(); ++n) {
    if (n == complete_without_env.size()) continue;
    EXPECT_FALSE(DecodeToSupervisor(packet.substr(0, n)).ok()) << "prefix of " << n << " bytes";
  }
  EXPECT_FALSE(DecodeFromSupervisor(EncodeMessage(EndedMessage{"d.1", 1, "r"}).substr(0, 7)).ok());
}

TEST(SupervisorProtocolTest, WrongKindsAndBadNumbersAreRejected) {
  EXPECT_FALSE(DecodeToSupervisor("").ok());
  EXPECT_FALSE(DecodeToSupervisor("X").ok());
  EXPECT_FALSE(DecodeToSupervisor(EncodeMessage(EndedMessage{"d.1", 1, "r"})).ok());
  EXPECT_FALSE(DecodeFromSupervisor(EncodeMessage(TerminateMessage{"d.1", 1})).ok());
  LaunchMessage no_argv{"d.1", 5, "/w", std::nullopt, false, 0, {}, {}};
  EXPECT_FALSE(DecodeToSupervisor(EncodeMessage(no_argv)).ok());
  std::string bad_grace = EncodeMessage(TerminateMessage{"d.1", 1});
  bad_grace[bad_grace.size() - 1] = 'x';
  EXPECT_FALSE(DecodeToSupervisor(bad_grace).ok());
}

}  // namespace
}  // namespace nightshift::exec
