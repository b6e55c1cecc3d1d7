// Test helpers for exec/ tests: a temporary directory removed at scope exit, whole-file helpers
// for small test files, and exit records to write. Test-only; not part of any library.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "exec/exit_record.h"

namespace nightshift::exec::testing {

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "nightshift-exec-XXXXXX").string();
    path_ = ::mkdtemp(tmpl.data()) != nullptr ? tmpl : "";
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

inline void WriteTestFile(const std::string& path, const std::string& content) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << content;
}

inline std::string ReadTestFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// A record of a job that exited with `code` (at fixed times, with a fixed peak RSS).
inline ExitRecord ExitedRecord(int code) {
  ExitRecord record;
  record.outcome.kind = core::AttemptOutcome::Kind::kExited;
  record.outcome.exit_code = code;
  record.outcome.started_at = 1700000000000;
  record.outcome.stopped_at = 1700000000002;
  record.supervisor_max_rss_kb = 1800;
  return record;
}

// A record of kind lost, as a server writes it for a supervisor that died.
inline ExitRecord LostRecord(const std::string& message) {
  ExitRecord record;
  record.outcome.kind = core::AttemptOutcome::Kind::kLost;
  record.outcome.message = message;
  return record;
}

}  // namespace nightshift::exec::testing
