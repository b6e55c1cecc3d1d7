#include "core/container_check.h"

#include <gtest/gtest.h>

namespace nightshift::core {
namespace {

ContainerSettings WithDataVolume() {
  ContainerSettings c;
  c.volumes = {{"data", "/srv/data"}};
  c.mount_points = {{"data", "/data", true}};
  return c;
}

TEST(ContainerCheckTest, AcceptsCommonImageReferences) {
  for (const char* image : {"busybox", "localhost/busybox:latest", "registry.example.com:5000/team/etl:1.2",
                            "quay.io/x/y@sha256:0123abcd", "Analyzer:v1"}) {
    EXPECT_TRUE(CheckImageReference(image, "image").ok()) << image;
  }
}

TEST(ContainerCheckTest, RefusesImageReferencesWithSpacesOrTooLong) {
  EXPECT_FALSE(CheckImageReference("", "image").ok());
  EXPECT_FALSE(CheckImageReference("busy box", "image").ok());
  EXPECT_FALSE(CheckImageReference("busybox;rm", "image").ok());
  EXPECT_FALSE(CheckImageReference(std::string(256, 'a'), "image").ok());
  Status st = CheckImageReference("a b", "containerProperties.image");
  EXPECT_NE(st.message().find("containerProperties.image"), std::string::npos) << st.message();
}

TEST(ContainerCheckTest, AcceptsAVolumeMountedReadOnly) {
  EXPECT_TRUE(CheckContainerSettings(WithDataVolume(), "c").ok());
}

TEST(ContainerCheckTest, RefusesAMountPointOfAnUnknownVolume) {
  ContainerSettings c = WithDataVolume();
  c.mount_points.push_back({"nope", "/x", false});
  Status st = CheckContainerSettings(c, "c");
  EXPECT_EQ(st.message(), "c.mountPoints[1].sourceVolume: no volume named 'nope'");
}

TEST(ContainerCheckTest, RefusesRelativeOrColonPathsAndMissingSources) {
  ContainerSettings c = WithDataVolume();
  c.volumes[0].source_path = "srv/data";
  EXPECT_FALSE(CheckContainerSettings(c, "c").ok());
  c.volumes[0].source_path = "/srv:data";
  EXPECT_FALSE(CheckContainerSettings(c, "c").ok());
  c.volumes[0].source_path = "";
  EXPECT_FALSE(CheckContainerSettings(c, "c").ok());
  c = WithDataVolume();
  c.mount_points[0].container_path = "data";
  EXPECT_FALSE(CheckContainerSettings(c, "c").ok());
  c = WithDataVolume();
  c.volumes.push_back(c.volumes[0]);
  EXPECT_FALSE(CheckContainerSettings(c, "c").ok());
}

TEST(ContainerCheckTest, RefusesUnknownOrInvertedUlimits) {
  ContainerSettings c;
  c.ulimits = {{"nofile", 1024, 2048}};
  EXPECT_TRUE(CheckContainerSettings(c, "c").ok());
  c.ulimits = {{"files", 1, 1}};
  EXPECT_FALSE(CheckContainerSettings(c, "c").ok());
  c.ulimits = {{"nofile", 10, 5}};
  EXPECT_FALSE(CheckContainerSettings(c, "c").ok());
  c.ulimits = {{"nofile", 1, 1}, {"nofile", 2, 2}};
  EXPECT_FALSE(CheckContainerSettings(c, "c").ok());
}

TEST(ContainerCheckTest, RefusesARelativeWorkingDirectory) {
  ContainerSettings c;
  c.working_dir = "work";
  EXPECT_FALSE(CheckContainerSettings(c, "c").ok());
  c.working_dir = "/work";
  EXPECT_TRUE(CheckContainerSettings(c, "c").ok());
}

}  // namespace
}  // namespace nightshift::core
