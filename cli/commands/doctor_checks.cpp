#include "cli/commands/doctor_checks.hpp"

#include <arpa/inet.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ctime>

#include "agent/control_client.hpp"
#include "agent/sidecar.hpp"
#include "cli/commands/cli_util.hpp"
#include "cli/commands/service_files.hpp"
#include "cli/commands/subprocess.hpp"
#include "core/audit/central_config.hpp"
#include "core/common/crypto.hpp"
#include "core/config/policy.hpp"
#include "core/policy/policy_loader.hpp"
#include "core/secrets/device_key_store.hpp"
#include "core/secrets/provider_keys.hpp"

namespace gw::cli {
namespace fs = std::filesystem;

std::string_view to_string(Verdict v) {
  switch (v) {
    case Verdict::ok: return "ok";
    case Verdict::info: return "info";
    case Verdict::warn: return "warn";
    case Verdict::fail: return "fail";
  }
  return "?";
}

namespace {

CheckResult agents_check() {
  CheckResult c{"agents", "coding agents installed", Verdict::ok, "", ""};
  int found = 0;
  for (const char* name : {"claude", "codex", "gemini"}) {
    std::string var = std::string("GW_") + name + "_BIN";
    for (auto& ch : var) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    std::string exe = env_str(var.c_str());
    if (exe.empty()) exe = find_in_path(name).value_or("");
    if (!c.detail.empty()) c.detail += "; ";
    if (exe.empty()) {
      c.detail += std::string(name) + ": not installed";
      continue;
    }
    auto r = run_program({exe, "--version"}, 15000);
    std::string v = r.output.substr(0, r.output.find('\n'));
    if (r.exit_code != 0) {
      c.detail += std::string(name) + ": " + exe + " does not run (`--version` exit " + std::to_string(r.exit_code) + ")";
      c.verdict = Verdict::warn;
      c.fix = "reinstall the agent that does not run";
      continue;
    }
    ++found;
    c.detail += std::string(name) + " " + v;
  }
  if (found == 0) {
    c.verdict = Verdict::fail;
    c.fix = "install at least one agent: npm install -g @anthropic-ai/claude-code (or @openai/codex, @google/gemini-cli)";
  }
  return c;
}

CheckResult sidecar_check(const Paths& paths, std::optional<nlohmann::json>& status) {
  CheckResult c{"sidecar", "sidecar reachable and healthy", Verdict::ok, "", ""};
  auto r = agent::control_call(paths, {{"op", "status"}}, 3000);
  fs::path unit = systemd_user_dir() / k_systemd_unit_name;
  std::error_code ec;
  bool service = !systemd_user_dir().empty() && fs::exists(unit, ec);
  if (!r || !r->value("ok", false)) {
    c.detail = "not running";
    if (service) {
      c.verdict = Verdict::fail;
      c.fix = "the login service is installed but the sidecar is down: `systemctl --user status gw-agent` and " +
              paths.agent_log().string();
    } else {
      c.verdict = Verdict::info;
      c.detail += " (it starts on demand with `gw claude|codex|gemini`; `gw agent install-service` runs it at login)";
    }
    return c;
  }
  status = *r;
  c.detail = "running on 127.0.0.1:" + std::to_string(r->value("port", 0)) + " (pid " + std::to_string(r->value("pid", 0)) +
             ", version " + r->value("version", std::string("?")) + ")";
  if (r->value("version", std::string()) != GW_VERSION) {
    c.verdict = Verdict::warn;
    c.fix = "the sidecar runs another gw version than this one (" + std::string(GW_VERSION) +
            "): restart it with `gw agent stop` (or `systemctl --user restart gw-agent`)";
  }
  return c;
}

CheckResult policy_check(const Paths& paths, const std::optional<nlohmann::json>& status,
                         std::shared_ptr<const config::Policy>& policy) {
  CheckResult c{"policy", "policy in force", Verdict::ok, "", ""};
  agent::SidecarOptions o;
  o.paths = paths;
  fs::path file = agent::explicit_policy_file(o);
  int64_t now = static_cast<int64_t>(::time(nullptr));
  auto p = policy::load_policy_in_force(paths, file, now);
  if (!p) {
    c.verdict = Verdict::fail;
    std::string what = file.empty() ? std::string("the policy in force") : file.string();
    c.detail = "cannot load " + what + ":\n" + p.error().message;
    c.fix = file.empty() ? "fix the errors above (`gw policy show` explains), then `gw agent reload`"
                         : "fix the errors above (`gw policy check " + file.string() + "` shows them), then `gw agent reload`";
    return c;
  }
  policy = p->policy;
  c.detail = p->source + ", version \"" + p->policy->version + "\"";
  if (p->bundle) {
    const auto& b = *p->bundle;
    int64_t left = b.expires_at - now;
    c.detail += left > 0 ? "; signed bundle expires in " + std::to_string(left / 3600) + " h"
                         : "; signed bundle EXPIRED, offline grace ends in " +
                               std::to_string((b.expires_at + b.grace_s - now) / 3600) + " h";
    if (left <= 0) {
      c.verdict = Verdict::warn;
      c.fix = "the signed policy expired: reconnect to the central gateway (`gw policy fetch`) or install a current "
              "bundle (`gw policy install BUNDLE`)";
    } else if (left < 24 * 3600) {
      c.verdict = Verdict::warn;
      c.fix = "the signed policy expires within a day: check that the sidecar reaches the central gateway (`gw policy fetch`)";
    }
  } else {
    c.detail += "; no expiry (a local policy does not expire)";
  }
  if (status) {
    std::string running = (*status)["policy"].value("version", "");
    if (running != p->policy->version) {
      c.verdict = Verdict::warn;
      c.fix = "the sidecar runs policy version \"" + running + "\", not this one: run `gw agent reload`";
    }
  }
  return c;
}

CheckResult central_check(const Paths& paths) {
  CheckResult c{"central", "central gateway reachable, clock in step", Verdict::info, "", ""};
  auto cfg = audit::load_central_config(paths.config_dir, secrets::login_token_reader(paths));
  if (!cfg) {
    c.verdict = Verdict::fail;
    c.detail = cfg.error().message;
    c.fix = "fix " + audit::central_config_path(paths.config_dir).string();
    return c;
  }
  if (!*cfg) {
    c.detail = "not configured (audit stays on this machine)";
    return c;
  }
  httplib::Client cli((*cfg)->url);
  cli.set_connection_timeout(5);
  cli.set_read_timeout(5);
  if (!(*cfg)->ca_file.empty()) cli.set_ca_cert_path((*cfg)->ca_file);
  auto res = cli.Get("/v1/health");
  if (!res) {
    c.verdict = Verdict::fail;
    c.detail = "cannot reach " + (*cfg)->url + ": " + httplib::to_string(res.error());
    c.fix = "check the network, the url in " + audit::central_config_path(paths.config_dir).string() +
            " and the central's certificate; audit is kept locally until it is reachable";
    return c;
  }
  c.verdict = Verdict::ok;
  c.detail = (*cfg)->url + " answered HTTP " + std::to_string(res->status);
  std::string date = res->get_header_value("Date");
  std::tm tm{};
  if (!date.empty() && ::strptime(date.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm)) {
    long skew = static_cast<long>(std::time(nullptr) - ::timegm(&tm));
    c.detail += ", clock skew " + std::to_string(skew) + " s";
    if (skew > 60 || skew < -60) {
      c.verdict = Verdict::fail;
      c.fix = "this machine's clock is off by more than a minute: enable time sync (timedatectl set-ntp true); "
              "policies and leases depend on it";
    }
  }
  if (res->status >= 400 && c.verdict == Verdict::ok) {
    c.verdict = Verdict::warn;
    c.fix = "the central answered an error on /v1/health; ask its operator";
  }
  return c;
}

CheckResult keychain_check(const Paths& paths, std::shared_ptr<secrets::SecretStore>& store) {
  CheckResult c{"keychain", "credential store", Verdict::ok, "", ""};
  auto s = secrets::open_secret_store(paths);
  if (!s) {
    c.verdict = Verdict::fail;
    c.detail = s.error().message;
    c.fix = "set GW_SECRET_BACKEND to auto, secret-service, keychain or file";
    return c;
  }
  store = std::shared_ptr<secrets::SecretStore>(std::move(*s));
  c.detail = std::string(secrets::to_string(store->backend())) + ": " + store->location();
  if (!secrets::is_secure(store->backend())) {
    c.verdict = Verdict::warn;
    auto why = secrets::make_secret_service_store();
    c.detail += " (" + (why ? std::string("a Secret Service answers now") : why.error().message) + ")";
    c.fix = "install and unlock a keyring (gnome-keyring) so keys are encrypted, then store them again with `gw keys set`";
  }
  return c;
}

CheckResult credentials_check(const config::Policy* policy, std::shared_ptr<secrets::SecretStore> store) {
  CheckResult c{"credentials", "provider keys for the policy's providers", Verdict::ok, "", ""};
  if (!policy) {
    c.verdict = Verdict::info;
    c.detail = "not checked: the policy does not load";
    return c;
  }
  secrets::ProviderKeys keys(store, "no credential store");
  for (const auto& [id, p] : policy->providers) {
    if (!c.detail.empty()) c.detail += "; ";
    auto k = keys.key_for(p);
    if (k) {
      c.detail += id + ": key " + fingerprint(*k);
      continue;
    }
    if (p.allow_passthrough) {
      c.detail += id + ": no key (the developer's own login is passed through)";
      continue;
    }
    c.verdict = Verdict::fail;
    c.detail += id + ": missing";
    c.fix += (c.fix.empty() ? "" : "; ") + k.error().message;
  }
  return c;
}

uintmax_t dir_size(const fs::path& dir) {
  uintmax_t total = 0;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator(); it.increment(ec))
    if (it->is_regular_file(ec)) total += it->file_size(ec);
  return total;
}

CheckResult spool_check(const Paths& paths) {
  CheckResult c{"spool", "audit spool", Verdict::ok, "", ""};
  fs::path dir = paths.state_dir / "audit";
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0) {
    c.detail = dir.string() + " does not exist yet (created with the first audited request)";
    return c;
  }
  if (st.st_mode & 077) {
    c.verdict = Verdict::fail;
    c.detail = dir.string() + " is accessible to other users (mode " + std::to_string((st.st_mode >> 6) & 7) +
               std::to_string((st.st_mode >> 3) & 7) + std::to_string(st.st_mode & 7) + ")";
    c.fix = "run `chmod 700 " + dir.string() + "`: audit records name files and prompts";
    return c;
  }
  if (::access(dir.c_str(), W_OK) != 0) {
    c.verdict = Verdict::fail;
    c.detail = dir.string() + " is not writable";
    c.fix = "give it back to your user: chown -R $USER " + dir.string();
    return c;
  }
  auto bytes = dir_size(dir);
  c.detail = dir.string() + ", " + std::to_string(bytes / 1024) + " KiB";
  if (bytes > (1ull << 30)) {
    c.verdict = Verdict::warn;
    c.fix = "the spool is over 1 GiB: configure a central gateway to ship it, or export and prune old segments";
  }
  return c;
}

CheckResult port_check(const std::optional<nlohmann::json>& status) {
  CheckResult c{"port", "sidecar port free", Verdict::ok, "", ""};
  int port = env_int("GW_AGENT_PORT", agent::k_default_port);
  if (status && status->value("port", 0) == port) {
    c.detail = "127.0.0.1:" + std::to_string(port) + " is held by the gw sidecar";
    return c;
  }
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool ok = fd >= 0 && ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  if (fd >= 0) ::close(fd);
  if (ok) {
    c.detail = "127.0.0.1:" + std::to_string(port) + " is free";
    return c;
  }
  c.verdict = Verdict::fail;
  c.detail = "127.0.0.1:" + std::to_string(port) + " is in use by another program";
  c.fix = "find it with `ss -ltnp 'sport = :" + std::to_string(port) + "'`, or give gw another port: export GW_AGENT_PORT=9418";
  return c;
}

}  // namespace

std::vector<CheckResult> run_doctor_checks(const Paths& paths, const std::function<void(std::string_view)>& on_check) {
  auto starting = [&](std::string_view what) {
    if (on_check) on_check(what);
  };
  std::vector<CheckResult> out;
  std::optional<nlohmann::json> status;
  std::shared_ptr<const config::Policy> policy;
  std::shared_ptr<secrets::SecretStore> store;
  starting("agents");
  out.push_back(agents_check());
  starting("sidecar");
  out.push_back(sidecar_check(paths, status));
  starting("policy");
  out.push_back(policy_check(paths, status, policy));
  starting("central gateway (network)");
  out.push_back(central_check(paths));
  starting("central login (network)");
  out.push_back(login_check(paths));
  starting("keychain");
  auto keychain = keychain_check(paths, store);
  starting("credentials");
  out.push_back(credentials_check(policy.get(), store));
  out.push_back(std::move(keychain));
  starting("audit spool");
  out.push_back(spool_check(paths));
  starting("port");
  out.push_back(port_check(status));
  return out;
}

}  // namespace gw::cli
