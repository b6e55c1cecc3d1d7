#include "exec/posix_util.h"

#include <fcntl.h>
#include <unistd.h>

#include <charconv>
#include <climits>
#include <cstring>

namespace nightshift::exec {

Status ErrnoStatus(std::string_view what, int err) {
  std::string message(what);
  message += ": ";
  message += std::strerror(err);
  switch (err) {
    case ENOENT:
      return Status::NotFound(std::move(message));
    case ENOSPC:
    case EDQUOT:
    case EMFILE:
    case ENFILE:
    case ENOMEM:
    case EAGAIN:
      return Status::Unavailable(std::move(message));
    default:
      return Status::Internal(std::move(message));
  }
}

void UniqueFd::reset(int fd) {
  // close(2) must not be retried on EINTR on Linux: the fd is released either way.
  if (fd_ >= 0) ::close(fd_);
  fd_ = fd;
}

Result<UniqueFd> OpenFile(const std::string& path, int flags, int mode) {
  int fd = RetryEintr([&] { return ::open(path.c_str(), flags | O_CLOEXEC, mode); });
  if (fd < 0) return ErrnoStatus("open " + path);
  return UniqueFd(fd);
}

Status WriteAll(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = RetryEintr([&] { return ::write(fd, data.data(), data.size()); });
    if (n < 0) return ErrnoStatus("write");
    data.remove_prefix(static_cast<size_t>(n));
  }
  return Status::Ok();
}

Result<std::string> ReadSmallFile(const std::string& path, size_t max_bytes) {
  Result<UniqueFd> fd = OpenFile(path, O_RDONLY);
  if (!fd.ok()) return fd.status();
  Result<std::string> content = ReadSmallFileAt(fd->get(), max_bytes);
  if (!content.ok())
    return Status(content.status().code(), path + ": " + content.status().message());
  return content;
}

Result<std::string> ReadSmallFileAt(int fd, size_t max_bytes) { return ReadFileAt(fd, 0, max_bytes); }

Result<std::string> ReadFileAt(int fd, int64_t offset, size_t max_bytes) {
  std::string content;
  char buf[16 * 1024];
  while (true) {
    ssize_t n = RetryEintr([&] {
      return ::pread(fd, buf, sizeof buf, static_cast<off_t>(offset + static_cast<int64_t>(content.size())));
    });
    if (n < 0) return ErrnoStatus("read");
    content.append(buf, static_cast<size_t>(n));
    if (content.size() > max_bytes) return Status::Internal("larger than expected");
    // A regular file reads short only at its end: spares the read that would return 0.
    if (static_cast<size_t>(n) < sizeof buf) return content;
  }
}

std::optional<int64_t> ParseInt64(std::string_view text) {
  if (!text.empty() && text.back() == '\n') text.remove_suffix(1);
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::optional<pid_t> ParsePid(std::string_view text) {
  std::optional<int64_t> pid = ParseInt64(text);
  if (!pid || *pid <= 0 || *pid > INT_MAX) return std::nullopt;
  return static_cast<pid_t>(*pid);
}

}  // namespace nightshift::exec
