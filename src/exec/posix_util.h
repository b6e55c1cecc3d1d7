// POSIX boundary helpers for exec/: errno -> Status in one place (EINTR retried here), an owning
// file descriptor, and the file operations the journals and logs need.
//
// Used by both the server side (LocalExecutor) and nightshift-supervisor, so it depends on nothing but
// libc and util/status.h. Every fd these helpers open is O_CLOEXEC.
// Thread-safety: free functions are thread-safe; a UniqueFd is a plain value (not shared).
#pragma once

#include <sys/types.h>

#include <cerrno>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "util/status.h"

namespace nightshift::exec {

// Status for a failed system call: "<what>: <strerror(err)>". ENOENT maps to kNotFound, ENOSPC /
// EMFILE / ENFILE / ENOMEM / EAGAIN to kUnavailable (transient), everything else to kInternal.
Status ErrnoStatus(std::string_view what, int err = errno);

// Calls fn() until it does not fail with EINTR; returns its last result (errno is left set).
template <typename Fn>
auto RetryEintr(Fn&& fn) {
  decltype(fn()) r;
  do {
    r = fn();
  } while (r == -1 && errno == EINTR);
  return r;
}

// Owns one file descriptor; closes it on destruction. Move-only.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    reset(other.release());
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd() { reset(); }

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  int release() { return std::exchange(fd_, -1); }
  void reset(int fd = -1);

 private:
  int fd_ = -1;
};

// open(2) with O_CLOEXEC added; the error names the path.
[[nodiscard]] Result<UniqueFd> OpenFile(const std::string& path, int flags, int mode = 0644);

// Writes all of data to fd, retrying short writes and EINTR.
[[nodiscard]] Status WriteAll(int fd, std::string_view data);

// Reads a small file (at most max_bytes; more is an error). kNotFound if it does not exist.
[[nodiscard]] Result<std::string> ReadSmallFile(const std::string& path,
                                                size_t max_bytes = 64 * 1024);

// The same through an open fd, from offset 0 with pread (the fd's offset is left as it is).
[[nodiscard]] Result<std::string> ReadSmallFileAt(int fd, size_t max_bytes = 64 * 1024);

// Reads fd from offset to its end with pread (the fd's offset is left as it is); more than
// max_bytes is an error.
[[nodiscard]] Result<std::string> ReadFileAt(int fd, int64_t offset, size_t max_bytes);

// Parses a whole decimal integer (optional leading '-'), ignoring one trailing newline.
std::optional<int64_t> ParseInt64(std::string_view text);
// A process id: ParseInt64 within 1..INT_MAX.
std::optional<pid_t> ParsePid(std::string_view text);

}  // namespace nightshift::exec
