#include "core/audit/central_config.hpp"

#include <sys/stat.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "core/config/policy_reader.hpp"
#include "core/config/policy_source.hpp"

namespace gw::audit {
namespace fs = std::filesystem;

fs::path central_config_path(const fs::path& config_dir) { return config_dir / "central.toml"; }

std::string_view to_string(TokenSource source) {
  switch (source) {
    case TokenSource::env: return "env";
    case TokenSource::file: return "file";
    case TokenSource::login: return "login";
  }
  return "?";
}

namespace {

Result<std::string> read_token_file(const fs::path& file) {
  struct stat st {};
  if (::stat(file.c_str(), &st) != 0)
    return fail(Errc::config, "the central enrollment token file " + file.string() +
                                  " does not exist; write the token your administrator gave you there (mode 0600)");
  if (st.st_mode & 077)
    return fail(Errc::config, "the central enrollment token file " + file.string() +
                                  " is readable by others; run: chmod 600 " + file.string());
  std::ifstream in(file);
  std::string token;
  std::getline(in, token);
  while (!token.empty() && (token.back() == '\r' || token.back() == ' ')) token.pop_back();
  if (token.empty()) return fail(Errc::config, "the central enrollment token file " + file.string() + " is empty");
  return token;
}

}  // namespace

Result<std::optional<CentralConfig>> load_central_config(const fs::path& config_dir, const LoginTokenReader& login) {
  fs::path file = central_config_path(config_dir);
  std::ifstream in(file, std::ios::binary);
  if (!in) return std::optional<CentralConfig>();
  std::stringstream ss;
  ss << in.rdbuf();
  GW_TRY(doc, config::detail::toml_to_doc(ss.str(), file.string()));
  config::detail::Diagnostics diag(doc);
  config::detail::ObjectReader root(doc.root, "", diag);
  CentralConfig c;
  c.source = file;
  if (auto u = root.string("url", true)) {
    if (!u->starts_with("https://") && !u->starts_with("http://"))
      diag.error("url", "must start with https:// (or http:// for a loopback test server)");
    c.url = *u;
  }
  auto token_file = root.string("token_file");
  auto token_env = root.string("token_env");
  if (token_file && token_env) diag.error("token_env", "set token_file or token_env, not both");
  if (auto ca = root.string("ca_file")) c.ca_file = fs::path(*ca).is_absolute() ? *ca : (config_dir / *ca).string();
  if (auto n = root.integer("batch_records", 1)) {
    if (*n > 10000) diag.error("batch_records", "must be at most 10000");
    else c.batch_records = static_cast<size_t>(*n);
  }
  if (auto n = root.integer("policy_poll_seconds", 1)) {
    if (*n > 86400) diag.error("policy_poll_seconds", "must be at most 86400 (a day)");
    else c.policy_poll_s = static_cast<int>(*n);
  }
  if (auto n = root.integer("key_poll_seconds", 1)) {
    if (*n > 86400) diag.error("key_poll_seconds", "must be at most 86400 (a day)");
    else c.key_poll_s = static_cast<int>(*n);
  }
  root.finish();
  if (!diag.ok()) return fail(Errc::config, diag.text());
  if (token_env) {
    const char* v = std::getenv(token_env->c_str());
    if (!v || !*v)
      return fail(Errc::config, file.string() + ": token_env names " + *token_env + ", which is not set");
    c.token = v;
    c.token_source = TokenSource::env;
    return std::optional<CentralConfig>(std::move(c));
  }
  std::string store_problem;
  if (!token_file && login) {
    auto key = login();
    if (key && *key && !(*key)->empty()) {
      c.token = std::move(**key);
      c.token_source = TokenSource::login;
      return std::optional<CentralConfig>(std::move(c));
    }
    if (!key) store_problem = " (the credential store could not be read: " + key.error().message + ")";
  }
  fs::path tf = token_file ? fs::path(*token_file) : fs::path("central.token");
  if (!tf.is_absolute()) tf = config_dir / tf;
  if (!token_file && login && !fs::exists(tf))
    return fail(Errc::config, file.string() + " names the central gateway " + c.url +
                                  ", but this device is not logged in to it and " + tf.string() +
                                  " does not exist: run `gw login --server " + c.url +
                                  "`, or write the enrollment token your administrator gave you to that file (mode 0600)" +
                                  store_problem);
  GW_TRY(token, read_token_file(tf));
  c.token = std::move(token);
  c.token_source = TokenSource::file;
  return std::optional<CentralConfig>(std::move(c));
}

}  // namespace gw::audit

#include "core/audit/forwarder.hpp"
#include "core/audit/forwarder_http.hpp"
#include "core/audit/spool.hpp"
#include "core/common/log.hpp"

namespace gw::audit {

Result<std::unique_ptr<Forwarder>> start_central_forwarder(const fs::path& config_dir, Spool& spool,
                                                           DeviceKeyStore& keys, const Clock& clock,
                                                           const LoginTokenReader& login) {
  GW_TRY(cfg, load_central_config(config_dir, login));
  if (!cfg) return std::unique_ptr<Forwarder>();
  GW_TRY(transport, make_http_transport({.url = cfg->url, .token = cfg->token, .ca_file = cfg->ca_file}));
  GW_TRY(key, keys.load_or_create());
  ForwarderOptions o;
  o.max_batch_records = cfg->batch_records;
  auto fwd = std::make_unique<Forwarder>(spool, std::move(key), std::move(transport), o, clock);
  fwd->start();
  log::write(log::Level::info, "audit forwarder started",
             {{"central", cfg->url}, {"acked_seq", spool.acked_seq()}, {"device", spool.device_id()}});
  return fwd;
}

}  // namespace gw::audit
