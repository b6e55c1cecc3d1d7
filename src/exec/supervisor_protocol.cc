#include "exec/supervisor_protocol.h"

#include <optional>

#include "exec/posix_util.h"

namespace nightshift::exec {
namespace {

constexpr char kLaunch = 'L';
constexpr char kTerminate = 'T';
constexpr char kEnded = 'E';
constexpr char kHello = 'H';

void PutField(std::string* out, std::string_view field) {
  uint32_t n = static_cast<uint32_t>(field.size());
  for (int i = 0; i < 4; ++i) out->push_back(static_cast<char>((n >> (8 * i)) & 0xff));
  out->append(field);
}

// Reads fields off the front of a packet.
class FieldReader {
 public:
  explicit FieldReader(std::string_view rest) : rest_(rest) {}

  std::optional<std::string> Next() {
    if (rest_.size() < 4) return std::nullopt;
    uint32_t n = 0;
    for (int i = 0; i < 4; ++i) n |= uint32_t{static_cast<unsigned char>(rest_[i])} << (8 * i);
    if (rest_.size() - 4 < n) return std::nullopt;
    std::string field(rest_.substr(4, n));
    rest_.remove_prefix(4 + n);
    return field;
  }
  std::optional<int64_t> NextInt() {
    std::optional<std::string> field = Next();
    return field ? ParseInt64(*field) : std::nullopt;
  }
  std::optional<uint64_t> NextCount() {
    std::optional<int64_t> n = NextInt();
    if (!n || *n < 0) return std::nullopt;
    return static_cast<uint64_t>(*n);
  }
  bool empty() const { return rest_.empty(); }

 private:
  std::string_view rest_;
};

std::string EncodeRunAs(const std::optional<Credentials>& run_as) {
  if (!run_as) return "";
  std::string text = std::to_string(run_as->uid) + " " + std::to_string(run_as->gid);
  for (gid_t group : run_as->groups) text += " " + std::to_string(group);
  return text;
}

// nullopt for a malformed text; an empty text is "no credentials" (an optional without value).
std::optional<std::optional<Credentials>> DecodeRunAs(std::string_view text) {
  if (text.empty()) return std::optional<Credentials>();
  std::vector<int64_t> ids;
  while (!text.empty()) {
    size_t space = text.find(' ');
    std::optional<int64_t> id = ParseInt64(text.substr(0, space));
    if (!id || *id < 0 || *id > 0xffffffffLL) return std::nullopt;
    ids.push_back(*id);
    text.remove_prefix(space == std::string_view::npos ? text.size() : space + 1);
  }
  if (ids.size() < 2) return std::nullopt;
  Credentials credentials{static_cast<uid_t>(ids[0]), static_cast<gid_t>(ids[1]), {}};
  for (size_t i = 2; i < ids.size(); ++i) credentials.groups.push_back(static_cast<gid_t>(ids[i]));
  return std::optional<Credentials>(std::move(credentials));
}

std::string EncodeContainer(const std::optional<ContainerControl>& container) {
  if (!container) return "";
  std::string out;
  PutField(&out, container->name);
  PutField(&out, container->cgroup_root);
  PutField(&out, container->cgroup_parent);
  PutField(&out, std::to_string(container->memory_limit_bytes));
  for (const std::string& arg : container->podman) PutField(&out, arg);
  return out;
}

// nullopt for a malformed text; an empty text is "a host process" (an optional without value).
std::optional<std::optional<ContainerControl>> DecodeContainer(std::string_view text) {
  if (text.empty()) return std::optional<ContainerControl>();
  FieldReader fields(text);
  ContainerControl c;
  std::optional<std::string> name = fields.Next();
  std::optional<std::string> root = fields.Next();
  std::optional<std::string> parent = fields.Next();
  std::optional<int64_t> limit = fields.NextInt();
  if (!name || name->empty() || !root || !parent || !limit) return std::nullopt;
  c.name = std::move(*name);
  c.cgroup_root = std::move(*root);
  c.cgroup_parent = std::move(*parent);
  c.memory_limit_bytes = *limit;
  while (!fields.empty()) {
    std::optional<std::string> arg = fields.Next();
    if (!arg) return std::nullopt;
    c.podman.push_back(std::move(*arg));
  }
  if (c.podman.empty()) return std::nullopt;
  return std::optional<ContainerControl>(std::move(c));
}

Status Malformed(std::string_view what) {
  return Status::InvalidArgument("malformed supervisor message: " + std::string(what));
}

Result<ToSupervisor> DecodeLaunch(FieldReader fields) {
  LaunchMessage m;
  std::optional<std::string> attempt = fields.Next();
  std::optional<int64_t> grace = fields.NextInt();
  std::optional<std::string> working_dir = fields.Next();
  std::optional<std::string> run_as_text = fields.Next();
  std::optional<uint64_t> make_run_as_dir = fields.NextCount();
  std::optional<uint64_t> committed_seq = fields.NextCount();
  std::optional<std::string> container_text = fields.Next();
  std::optional<int64_t> argc = fields.NextInt();
  if (!attempt || !grace || !working_dir || !run_as_text || !make_run_as_dir || !committed_seq || !container_text ||
      !argc || *argc < 1) {
    return Malformed("launch header");
  }
  std::optional<std::optional<ContainerControl>> container = DecodeContainer(*container_text);
  if (!container) return Malformed("launch container");
  m.container = std::move(*container);
  std::optional<std::optional<Credentials>> run_as = DecodeRunAs(*run_as_text);
  if (!run_as) return Malformed("launch run_as");
  m.run_as = std::move(*run_as);
  m.make_run_as_dir = *make_run_as_dir != 0;
  m.committed_seq = *committed_seq;
  m.attempt = std::move(*attempt);
  m.grace_ms = *grace;
  m.working_dir = std::move(*working_dir);
  for (int64_t i = 0; i < *argc; ++i) {
    std::optional<std::string> arg = fields.Next();
    if (!arg) return Malformed("launch argv");
    m.argv.push_back(std::move(*arg));
  }
  while (!fields.empty()) {
    std::optional<std::string> var = fields.Next();
    if (!var) return Malformed("launch environment");
    m.environment.push_back(std::move(*var));
  }
  return ToSupervisor(std::move(m));
}

}  // namespace

std::string EncodeMessage(const LaunchMessage& message) {
  std::string out(1, kLaunch);
  PutField(&out, message.attempt);
  PutField(&out, std::to_string(message.grace_ms));
  PutField(&out, message.working_dir);
  PutField(&out, EncodeRunAs(message.run_as));
  PutField(&out, message.make_run_as_dir ? "1" : "0");
  PutField(&out, std::to_string(message.committed_seq));
  PutField(&out, EncodeContainer(message.container));
  PutField(&out, std::to_string(message.argv.size()));
  for (const std::string& arg : message.argv) PutField(&out, arg);
  for (const std::string& var : message.environment) PutField(&out, var);
  return out;
}

std::string EncodeMessage(const TerminateMessage& message) {
  std::string out(1, kTerminate);
  PutField(&out, message.attempt);
  PutField(&out, std::to_string(message.grace_ms));
  return out;
}

std::string EncodeMessage(const HelloMessage& message) {
  std::string out(1, kHello);
  PutField(&out, message.supervisor);
  return out;
}

std::string EncodeMessage(const EndedMessage& message) {
  std::string out(1, kEnded);
  PutField(&out, message.attempt);
  PutField(&out, std::to_string(message.seq));
  PutField(&out, message.exit_record);
  return out;
}

Result<ToSupervisor> DecodeToSupervisor(std::string_view packet) {
  if (packet.empty()) return Malformed("empty packet");
  FieldReader fields(packet.substr(1));
  if (packet[0] == kLaunch) return DecodeLaunch(fields);
  if (packet[0] != kTerminate) return Malformed("unknown kind");
  std::optional<std::string> dir = fields.Next();
  std::optional<int64_t> grace = fields.NextInt();
  if (!dir || !grace || !fields.empty()) return Malformed("terminate");
  return ToSupervisor(TerminateMessage{std::move(*dir), *grace});
}

Result<FromSupervisor> DecodeFromSupervisor(std::string_view packet) {
  if (packet.empty()) return Malformed("empty packet");
  FieldReader fields(packet.substr(1));
  if (packet[0] == kHello) {
    std::optional<std::string> supervisor = fields.Next();
    if (!supervisor || !fields.empty()) return Malformed("hello");
    return FromSupervisor(HelloMessage{std::move(*supervisor)});
  }
  if (packet[0] != kEnded) return Malformed("unknown kind");
  std::optional<std::string> attempt = fields.Next();
  std::optional<uint64_t> seq = fields.NextCount();
  std::optional<std::string> record = fields.Next();
  if (!attempt || !seq || !record || !fields.empty()) return Malformed("ended");
  return FromSupervisor(EndedMessage{std::move(*attempt), *seq, std::move(*record)});
}

}  // namespace nightshift::exec
