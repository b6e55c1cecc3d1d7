// Resource codec: how compute environments, job queues and job definitions are stored in the
// `doc` columns of their tables, in the wire format of wire_format.h.
//
// Unlike a job's doc, a resource's doc holds every member, its key columns included: resources
// are few, and one self-contained document per row keeps them simple.
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "core/resources.h"
#include "util/status.h"

namespace nightshift::store {

// Decoders' errors: kInternal naming the corrupt byte.
std::string EncodeComputeEnvironment(const core::ComputeEnvironment& ce);
Result<core::ComputeEnvironment> DecodeComputeEnvironment(std::string_view doc);

std::string EncodeJobQueue(const core::JobQueue& queue);
Result<core::JobQueue> DecodeJobQueue(std::string_view doc);

std::string EncodeJobDefinition(const core::JobDefinition& definition);
Result<core::JobDefinition> DecodeJobDefinition(std::string_view doc);

}  // namespace nightshift::store
