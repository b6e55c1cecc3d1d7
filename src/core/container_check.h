// The rules a container job's definition must follow (containerProperties with an image), checked
// when a job definition is registered or a pipeline is applied, so that a definition that could
// never start a container is refused with a reason instead of failing every job.
//
// Thread-safety: pure functions over values.
#pragma once

#include <string_view>

#include "core/job.h"
#include "util/status.h"

namespace nightshift::core {

// The ulimit names containers accept (as AWS's ulimits[].name and `podman run --ulimit`).
bool IsKnownUlimitName(std::string_view name);

// An image reference of at most 255 characters, of letters, digits and - _ : . / # @ (AWS's set,
// plus '@' for digests). Whether podman can parse or find it is known only at launch.
// Errors: kInvalidArgument naming `field`.
Status CheckImageReference(std::string_view image, std::string_view field);

// Volumes have unique names and absolute host source paths; mount points name a volume and an
// absolute container path; ulimits have known names and 0 <= soft <= hard; the working directory
// is absolute. Paths hold no ':' (podman's volume syntax) and no NUL. `field` is the path of the
// containerProperties object in messages. Errors: kInvalidArgument naming the first bad element.
Status CheckContainerSettings(const ContainerSettings& settings, std::string_view field);

}  // namespace nightshift::core
