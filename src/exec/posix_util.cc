#include "exec/posix_util.h"

#include <fcntl.h>
#include <unistd.h>

#include <charconv>
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

Status WriteFileAtomic(const std::string& path, std::string_view content) {
  const std::string tmp = path + ".tmp";
  {
    Result<UniqueFd> fd = OpenFile(tmp, O_WRONLY | O_CREAT | O_TRUNC);
    if (!fd.ok()) return fd.status();
    Status written = WriteAll(fd->get(), content);
    if (!written.ok()) {
      ::unlink(tmp.c_str());
      return Status(written.code(), tmp + ": " + written.message());
    }
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) return ErrnoStatus("rename " + tmp);
  return Status::Ok();
}

Result<std::string> ReadSmallFile(const std::string& path, size_t max_bytes) {
  Result<UniqueFd> fd = OpenFile(path, O_RDONLY);
  if (!fd.ok()) return fd.status();
  std::string content;
  char buf[4096];
  while (true) {
    ssize_t n = RetryEintr([&] { return ::read(fd->get(), buf, sizeof buf); });
    if (n < 0) return ErrnoStatus("read " + path);
    if (n == 0) return content;
    content.append(buf, static_cast<size_t>(n));
    if (content.size() > max_bytes) return Status::Internal(path + ": larger than expected");
  }
}

std::optional<int64_t> ParseInt64(std::string_view text) {
  if (!text.empty() && text.back() == '\n') text.remove_suffix(1);
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace nightshift::exec
