// Job codec: how a core::Job is stored in the `doc` column of the jobs table.
//
// The jobs table keeps in columns of their own the members it queries and indexes (id, seq,
// name, queue, state, created_at, parent_id, array_index, definition, share_identifier; see
// jobs_table.h). The doc holds every other member, spec included, in the wire format of
// wire_format.h. Field numbers are listed in job_codec.cc and are never reused.
//
// Array children share one JobSpec in memory; the doc of each child still carries its own copy
// (a few hundred bytes), and SpecInterner restores the sharing when jobs are decoded.
// Thread-safety: free functions are pure; a SpecInterner has a single owner.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/job.h"
#include "util/status.h"

namespace nightshift::store {

std::string EncodeJobSpec(const core::JobSpec& spec);
// Errors: kInternal naming the corrupt byte.
Result<core::JobSpec> DecodeJobSpec(std::string_view encoded);

// Appends the doc of `job` to `out`. `encoded_spec` is EncodeJobSpec(*job.spec), or nullopt when
// job.spec is null; a caller writing many jobs that share one spec encodes it once.
void AppendJobDoc(const core::Job& job, std::optional<std::string_view> encoded_spec,
                  std::string& out);
std::string EncodeJobDoc(const core::Job& job);

// Decodes jobs' specs, giving the same shared JobSpec to every job whose encoded spec is the same
// bytes: array children, and jobs submitted from one definition without overrides.
class SpecInterner {
 public:
  Result<std::shared_ptr<const core::JobSpec>> Intern(std::string_view encoded);

 private:
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, std::shared_ptr<const core::JobSpec>, Hash, std::equal_to<>>
      specs_;
};

// Returns `job` (whose column members the caller has set) with the members stored in `doc`.
// Errors: kInternal naming the job and the corrupt byte.
Result<core::Job> DecodeJobDoc(std::string_view doc, core::Job job, SpecInterner& specs);

}  // namespace nightshift::store
