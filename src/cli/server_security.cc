#include "cli/server_security.h"

#include <arpa/inet.h>

#include <fstream>
#include <sstream>

namespace nightshift::cli {
namespace {

Status AddKeys(const std::vector<auth::AccessKey>& keys, auth::KeyRing& ring) {
  for (const auth::AccessKey& key : keys) NS_RETURN_IF_ERROR(ring.Add(key));
  return Status::Ok();
}

Status AddKeysFromFile(const std::string& path, auth::KeyRing& ring) {
  std::ifstream in(path);
  if (!in) return Status::InvalidArgument("cannot read the access key file " + path);
  std::stringstream text;
  text << in.rdbuf();
  Result<std::vector<auth::AccessKey>> keys = auth::ParseAccessKeyFile(text.str(), path);
  if (!keys.ok()) return keys.status();
  return AddKeys(*keys, ring);
}

}  // namespace

Result<ServerSecurity> LoadServerSecurity(const Config& config) {
  ServerSecurity security;
  for (const std::string& spec : config.List("access_key")) {
    Result<auth::AccessKey> key = auth::ParseAccessKey(spec);
    if (!key.ok()) return Status::InvalidArgument(config.Get("access_key").origin + ": " + key.status().message());
    NS_RETURN_IF_ERROR(security.keys.Add(std::move(*key)));
  }
  if (const std::string& file = config.String("access_key_file"); !file.empty()) {
    NS_RETURN_IF_ERROR(AddKeysFromFile(file, security.keys));
  }
  security.tls_cert = config.String("tls_cert");
  security.tls_key = config.String("tls_key");
  if (security.tls_cert.empty() != security.tls_key.empty()) {
    return Status::InvalidArgument("--tls-cert and --tls-key go together: give both or neither");
  }
  security.insecure = config.Boolean("insecure");
  security.auth = config.Boolean("auth") || !security.keys.empty();
  return security;
}

bool IsLoopbackHost(std::string_view host) {
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  const std::string text(host);
  in_addr v4{};
  if (inet_pton(AF_INET, text.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6{};
  if (inet_pton(AF_INET6, text.c_str(), &v6) != 1) return false;
  if (IN6_IS_ADDR_LOOPBACK(&v6)) return true;
  return IN6_IS_ADDR_V4MAPPED(&v6) && v6.s6_addr[12] == 127;
}

Status CheckExposure(std::string_view host, bool authenticated, bool insecure) {
  if (IsLoopbackHost(host) || authenticated || insecure) return Status::Ok();
  return Status::InvalidArgument(
      "refusing to listen on " + std::string(host) +
      " without access keys: anyone who can connect could run commands on this machine. Configure "
      "--access-key or --access-key-file, or turn on --auth (API tokens), or listen on 127.0.0.1, or pass "
      "--insecure to accept the risk");
}

}  // namespace nightshift::cli
