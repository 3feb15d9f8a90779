#include "server/server_config.hpp"

#include <charconv>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "core/config/policy_reader.hpp"
#include "core/config/policy_source.hpp"

namespace gw::server {
namespace fs = std::filesystem;
using config::detail::Diagnostics;
using config::detail::ObjectReader;

namespace {

bool is_hex(std::string_view s) {
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

}  // namespace

bool split_listen(std::string_view text, std::string& host, int& port) {
  size_t colon = text.rfind(':');
  if (colon == std::string_view::npos || colon + 1 >= text.size()) return false;
  std::string_view h = text.substr(0, colon), p = text.substr(colon + 1);
  if (h.starts_with("[") && h.ends_with("]")) h = h.substr(1, h.size() - 2);
  if (h.empty()) return false;
  int value = -1;
  auto [ptr, ec] = std::from_chars(p.data(), p.data() + p.size(), value);
  if (ec != std::errc() || ptr != p.data() + p.size() || value < 0 || value > 65535) return false;
  host = std::string(h);
  port = value;
  return true;
}

namespace {

fs::path resolve(const fs::path& base, const std::string& p) {
  fs::path path(p);
  return path.is_absolute() || base.empty() ? path : base / path;
}

}  // namespace

namespace {

void read_token_table(const nlohmann::json& tokens, const std::string& where, Diagnostics& diag,
                      std::vector<EnrollmentToken>& out) {
  for (auto it = tokens.begin(); it != tokens.end(); ++it) {
    std::string path = config::detail::path_key(where, it.key());
    ObjectReader t(it.value(), path, diag);
    if (!t.valid()) continue;
    if (auto h = t.string("secret_hash", true)) {
      if (!h->starts_with("sha256:") || h->size() != 71 || !is_hex(std::string_view(*h).substr(7)))
        diag.error(path + ".secret_hash",
                   "must be \"sha256:\" and 64 lowercase hex characters; make one with `gw policy hash-key --new`");
      else
        out.push_back({it.key(), *h});
    }
    t.finish();
  }
}

void decode_policy_section(const nlohmann::json& table, const fs::path& base_dir, Diagnostics& diag, ServerConfig& c) {
  ObjectReader p(table, "policy", diag);
  PolicyDistributionConfig& pc = c.policy;
  if (auto org = p.string("org", true)) pc.org = *org;
  if (auto roots = p.string_list("roots")) {
    for (const auto& r : *roots) {
      fs::path f = resolve(base_dir, r);
      std::error_code ec;
      if (!fs::is_regular_file(f, ec)) diag.error("policy.roots", "no such file: " + f.string());
      pc.roots.push_back(f);
    }
  }
  if (pc.roots.empty()) diag.error("policy.roots", "list at least one root public key file (from `gw policy keygen`)");
  if (auto t = p.integer("threshold", 1)) pc.threshold = static_cast<int>(*t);
  if (auto d = p.string("bundle_dir")) pc.bundle_dir = resolve(base_dir, *d);
  if (const auto* pubs = p.table("publishers")) read_token_table(*pubs, "policy.publishers", diag, pc.publishers);
  p.finish();
}

// [storage]: sqlite needs path; postgres needs exactly one of url / url_env (see the header).
void decode_storage_section(const nlohmann::json& table, const fs::path& base_dir, Diagnostics& diag, ServerConfig& c) {
  ObjectReader s(table, "storage", diag);
  if (auto d = s.string("driver")) {
    if (*d != "sqlite" && *d != "postgres")
      diag.error("storage.driver", "must be \"sqlite\" or \"postgres\", got \"" + *d + "\"");
    else
      c.storage_driver = *d;
  }
  bool pg = c.storage_driver == "postgres";
  if (auto p = s.string("path", !pg)) c.storage_path = resolve(base_dir, *p);
  else if (pg) c.storage_path = resolve(base_dir, "central");
  auto url = s.string("url");
  auto url_env = s.string("url_env");
  auto pool = s.integer("pool_size", 1);
  if (!pg) {
    for (const char* k : {"url", "url_env", "pool_size"})
      if (s.has(k)) diag.error(std::string("storage.") + k, "applies to driver = \"postgres\" only");
  } else if (url.has_value() == url_env.has_value()) {
    diag.error("storage", "driver = \"postgres\" needs url = \"postgresql://USER@HOST:PORT/DB\" or url_env = "
                          "\"NAME\" (an environment variable holding it; keeps a password out of the file)");
  } else if (url) {
    c.storage_url = *url;
  } else {
    const char* v = std::getenv(url_env->c_str());
    if (!v || !*v)
      diag.error("storage.url_env", "the environment variable " + *url_env +
                                        " is not set (or empty): export it with the PostgreSQL URL before gw serve");
    else
      c.storage_url = v;
  }
  if (pool) {
    if (*pool > 200) diag.error("storage.pool_size", "must be at most 200 (each is a PostgreSQL connection)");
    else c.storage_pool_size = static_cast<size_t>(*pool);
  }
  s.finish();
}

}  // namespace

std::string listen_problem(const ServerConfig& c) {
  if (c.tls_cert.empty() && !is_loopback_address(c.host) && !c.insecure_plaintext)
    return "\"" + c.host + "\" is not a loopback address: add [tls] cert and key, or set "
           "insecure_plaintext = true when a TLS-terminating proxy sits in front";
  return {};
}

bool is_loopback_address(std::string_view host) {
  return host == "localhost" || host == "::1" || host.starts_with("127.");
}

Result<ServerConfig> parse_server_config(std::string_view text, std::string_view file, const fs::path& base_dir) {
  GW_TRY(doc, config::detail::toml_to_doc(text, file));
  Diagnostics diag(doc);
  ServerConfig c;
  c.source = std::string(file);
  ObjectReader root(doc.root, "", diag);
  if (auto listen = root.string("listen")) {
    if (!split_listen(*listen, c.host, c.port))
      diag.error("listen", "must be HOST:PORT (e.g. \"0.0.0.0:8443\" or \"[::1]:8443\"), got \"" + *listen + "\"");
  }
  if (auto v = root.boolean("insecure_plaintext")) c.insecure_plaintext = *v;
  if (const auto* tls = root.table("tls")) {
    ObjectReader t(*tls, "tls", diag);
    auto cert = t.string("cert", true);
    auto key = t.string("key", true);
    if (cert) c.tls_cert = resolve(base_dir, *cert);
    if (key) c.tls_key = resolve(base_dir, *key);
    std::error_code ec;
    if (cert && !fs::is_regular_file(c.tls_cert, ec))
      diag.error("tls.cert", "no such file: " + c.tls_cert.string());
    if (key && !fs::is_regular_file(c.tls_key, ec)) diag.error("tls.key", "no such file: " + c.tls_key.string());
    t.finish();
  }
  if (const auto* st = root.table("storage")) {
    decode_storage_section(*st, base_dir, diag, c);
  } else {
    diag.error("storage", "missing: add [storage] with path = \"central.db\" (the SQLite file)");
  }
  if (const auto* in = root.table("ingest")) {
    ObjectReader i(*in, "ingest", diag);
    if (auto n = i.integer("max_batch_records", 1)) c.max_batch_records = static_cast<size_t>(*n);
    if (auto n = i.integer("max_body_bytes", 1024)) c.max_body_bytes = static_cast<size_t>(*n);
    i.finish();
  }
  if (const auto* en = root.table("enrollment")) {
    ObjectReader e(*en, "enrollment", diag);
    if (const auto* tokens = e.table("tokens")) read_token_table(*tokens, "enrollment.tokens", diag, c.enrollment_tokens);
    e.finish();
  }
  if (const auto* pol = root.table("policy")) decode_policy_section(*pol, base_dir, diag, c);
  if (const auto* adm = root.table("admin")) decode_admin_section(*adm, diag, c.admin);
  if (const auto* leases = root.table("leases")) decode_leases_section(*leases, diag, c.leases);
  if (const auto* px = root.table("proxy")) decode_proxy_section(*px, base_dir, c.host, diag, c.proxy);
  siem::decode_siem(root.raw("siem"), "siem", diag, c.siem);
  for (auto& sink : c.siem.sinks) {
    if (sink.type == siem::SinkType::file && !sink.destination.empty())
      sink.destination = resolve(base_dir, sink.destination).string();
    if (!sink.token_file.empty()) sink.token_file = resolve(base_dir, sink.token_file).string();
    if (!sink.ca_file.empty()) sink.ca_file = resolve(base_dir, sink.ca_file).string();
  }
  root.finish();
  if (c.policy.enabled() && c.policy.bundle_dir.empty()) c.policy.bundle_dir = c.storage_path.string() + ".policy";
  if (std::string why = listen_problem(c); !why.empty()) diag.error("listen", why);
  if (c.proxy.enabled && c.tls_cert.empty() && !is_loopback_address(c.proxy.host) && !c.insecure_plaintext)
    diag.error("proxy.listen", "\"" + c.proxy.host + "\" is not a loopback address: add [tls] cert and key (the proxy "
               "carries virtual keys and prompts), or set insecure_plaintext = true behind a TLS-terminating proxy");
  if (!diag.ok()) return fail(Errc::config, diag.text());
  return c;
}

Result<ServerConfig> load_server_config(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return fail(Errc::config, "cannot read server config " + file.string() + ": no such file or not readable");
  std::stringstream ss;
  ss << in.rdbuf();
  return parse_server_config(ss.str(), file.string(), fs::absolute(file).parent_path());
}

}  // namespace gw::server
