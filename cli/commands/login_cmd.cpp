// gw login | gw logout: connect this machine to the central gateway with the developer's central
// key (issued with `gw admin keys create`). The key goes to the OS credential store (never a
// file next to the config, except the 0600 fallback when no keychain answers), central.toml gets
// the url and CA, and a running sidecar switches to the key at once (ADR 0049).
#include <termios.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

#include "agent/control_client.hpp"
#include "agent/key_sync.hpp"
#include "cli/commands/cli_util.hpp"
#include "cli/commands/colour.hpp"
#include "cli/commands/commands.hpp"
#include "cli/commands/doctor_checks.hpp"
#include "core/audit/central_config.hpp"
#include "core/common/crypto.hpp"
#include "core/common/time_format.hpp"
#include "core/secrets/device_key_store.hpp"

namespace gw::cli {

namespace fs = std::filesystem;

namespace {

// The key from the terminal without echo, or all of stdin when it is not a terminal.
Result<std::string> read_key() {
  std::string value;
  if (::isatty(0)) {
    std::fprintf(stderr, "central key (from your gw administrator; input hidden): ");
    std::fflush(stderr);
    termios old{};
    bool restore = ::tcgetattr(0, &old) == 0;
    if (restore) {
      termios quiet = old;
      quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
      ::tcsetattr(0, TCSAFLUSH, &quiet);
    }
    std::getline(std::cin, value);
    if (restore) ::tcsetattr(0, TCSAFLUSH, &old);
    std::fputs("\n", stderr);
  } else {
    value.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  }
  while (!value.empty() && (value.back() == '\n' || value.back() == '\r' || value.back() == ' ')) value.pop_back();
  while (!value.empty() && value.front() == ' ') value.erase(0, 1);
  if (value.empty())
    return fail(Errc::invalid_argument, "no key given; paste the key `gw admin keys create` printed, or pipe it: "
                                        "`gw login --server URL < keyfile`");
  if (value.find_first_of("\n\r \t") != std::string::npos)
    return fail(Errc::invalid_argument, "the key contains spaces or several lines; give the one key on one line");
  return value;
}

// Settings of an existing central.toml that login keeps (poll intervals, batch size).
std::string kept_settings(const fs::path& file, bool& had_enrollment) {
  std::ifstream in(file);
  std::string kept, line;
  while (std::getline(in, line)) {
    size_t eq = line.find('=');
    if (eq == std::string::npos) continue;
    std::string name = line.substr(0, eq);
    name.erase(0, name.find_first_not_of(" \t"));
    name.erase(name.find_last_not_of(" \t") + 1);
    if (name == "batch_records" || name == "policy_poll_seconds" || name == "key_poll_seconds") kept += line + "\n";
    if (name == "token_file" || name == "token_env") had_enrollment = true;
  }
  return kept;
}

// A TOML basic string (JSON string escapes are valid TOML escapes).
std::string toml_string(const std::string& s) { return nlohmann::json(s).dump(); }

Status write_central_toml(const fs::path& file, const std::string& url, const std::string& ca, const std::string& kept) {
  std::error_code ec;
  fs::create_directories(file.parent_path(), ec);
  std::string text = "# Written by `gw login`; the key itself is in the OS credential store.\nurl = " + toml_string(url) + "\n";
  if (!ca.empty()) text += "ca_file = " + toml_string(ca) + "\n";
  text += kept;
  auto tmp = file;
  tmp += ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << text;
    if (!out) return fail(Errc::io, "cannot write " + tmp.string());
  }
  fs::rename(tmp, file, ec);
  if (ec) return fail(Errc::io, "cannot replace " + file.string() + ": " + ec.message());
  return {};
}

// Tells a running sidecar to re-read central.toml and the login; a note when none runs.
void reload_sidecar(const Paths& paths) {
  auto r = agent::control_call(paths, {{"op", "reload"}}, 15000);
  if (!r) return;  // not running: it reads the login when it starts
  if (r->value("ok", false)) std::puts("the running gw sidecar switched to it");
  else std::fprintf(stderr, "%s: the running sidecar could not switch: %s (run `gw agent stop`; it restarts with the next `gw claude`)\n",
                    paint("warning", Colour::yellow, true).c_str(), r->value("error", "").c_str());
}

int cmd_login(const std::string& server_in, const std::string& ca_in) {
  std::string server = server_in;
  while (server.ends_with("/")) server.pop_back();
  if (!server.starts_with("https://") && !server.starts_with("http://"))
    return print_error("--server must be the central gateway's URL, e.g. https://gw.example.com:8443");
  std::string ca;
  if (!ca_in.empty()) {
    std::error_code ec;
    ca = fs::absolute(ca_in, ec).string();
    if (!fs::is_regular_file(ca)) return print_error("--ca-file " + ca_in + " does not exist or is not a file");
  }
  auto paths = resolve_paths();
  if (!paths) return print_error(paths.error().message);
  auto key = read_key();
  if (!key) return print_error(key.error().message);

  auto record = agent::fetch_key_record(server, *key, ca);
  if (!record)
    return print_error("cannot check the key with the central gateway: " + record.error().message +
                       ". Check the URL and the network" + (ca.empty() ? " (a private CA? add --ca-file)" : "") +
                       "; nothing was changed");
  if (record->id.starts_with("fp:"))
    return print_error(server + " does not know this key (fingerprint " + fingerprint(*key) +
                       "). Check that you pasted the key `gw admin keys create` printed for you; nothing was changed");
  if (std::string refusal = config::central_key_refusal(*record, server); !refusal.empty())
    return print_error(refusal.substr(4) + " Nothing was changed");
  if (record->expires_at_ms && *record->expires_at_ms <= static_cast<int64_t>(::time(nullptr)) * 1000)
    return print_error("central key '" + record->id + "' expired at " +
                       utc_time(*record->expires_at_ms / 1000, "%Y-%m-%d %H:%M UTC") +
                       "; ask your gw administrator for a new key. Nothing was changed");

  auto store = secrets::open_secret_store(*paths);
  if (!store) return print_error(store.error().message);
  if (!secrets::is_secure((*store)->backend()))
    std::fprintf(stderr, "%s: no Secret Service answers on this machine, so the key is kept in a plain file, %s (mode 0600); "
                         "install and unlock a keyring (gnome-keyring) and log in again to keep it encrypted\n",
                 paint("warning", Colour::yellow, true).c_str(), (*store)->location().c_str());
  if (auto st = secrets::save_login_token(**store, *key); !st) return print_error(st.error().message);

  fs::path file = audit::central_config_path(paths->config_dir);
  bool had_enrollment = false;
  std::string kept = kept_settings(file, had_enrollment);
  if (auto st = write_central_toml(file, server, ca, kept); !st) return print_error(st.error().message);
  if (ensure_private_dir(paths->state_dir))
    (void)agent::save_key_cache(paths->state_dir / "central_key.json", server, *key, *record,
                                static_cast<int64_t>(::time(nullptr)) * 1000);

  std::string who = record->owner.empty() ? record->id : record->owner;
  std::printf("logged in to %s as %s (key %s%s)\n", server.c_str(), who.c_str(), record->id.c_str(),
              record->team.empty() ? "" : (", team " + record->team).c_str());
  std::printf("key fingerprint %s, kept in %s\n", fingerprint(*key).c_str(), (*store)->location().c_str());
  if (record->expires_at_ms)
    std::printf("the key expires %s\n", utc_time(*record->expires_at_ms / 1000, "%Y-%m-%d %H:%M UTC").c_str());
  if (had_enrollment)
    std::puts("note: central.toml named an enrollment token (token_file/token_env); the login key replaces it");
  reload_sidecar(*paths);
  return 0;
}

int cmd_logout() {
  auto paths = resolve_paths();
  if (!paths) return print_error(paths.error().message);
  auto store = secrets::open_secret_store(*paths);
  if (!store) return print_error(store.error().message);
  auto removed = secrets::clear_login_token(**store);
  if (!removed) return print_error(removed.error().message);
  std::error_code ec;
  fs::remove(paths->state_dir / "central_key.json", ec);
  fs::path file = audit::central_config_path(paths->config_dir);
  bool had_enrollment = false;
  (void)kept_settings(file, had_enrollment);
  // Without the login key, central.toml would name a central this device cannot authenticate
  // to; it stays only when an enrollment token still connects the device.
  bool keep = had_enrollment || fs::exists(paths->config_dir / "central.token");
  if (!keep) fs::remove(file, ec);
  if (!*removed) {
    std::puts("not logged in (no central key in the credential store)");
    return 0;
  }
  std::printf("logged out: the central key was removed from %s\n", (*store)->location().c_str());
  if (keep) std::puts("this device stays connected to the central gateway with its enrollment token");
  else if (!ec) std::printf("removed %s; audit stays on this machine until you log in again\n", file.c_str());
  reload_sidecar(*paths);
  return 0;
}

}  // namespace

CheckResult login_check(const Paths& paths) {
  CheckResult c{"login", "central login (gw login)", Verdict::info, "", ""};
  auto cfg = audit::load_central_config(paths.config_dir, secrets::login_token_reader(paths));
  if (!cfg || !*cfg) {
    c.detail = cfg ? "not logged in; launcher sessions run as the policy's [local] key" : "see the central check";
    return c;
  }
  if (!(*cfg)->logged_in()) {
    c.detail = "connected with an enrollment token (" + std::string(audit::to_string((*cfg)->token_source)) +
               "), not a personal login; launcher sessions run as the policy's [local] key";
    return c;
  }
  auto record = agent::fetch_key_record((*cfg)->url, (*cfg)->token, (*cfg)->ca_file);
  if (!record) {
    c.verdict = Verdict::warn;
    c.detail = "logged in to " + (*cfg)->url + ", but the key could not be checked: " + record.error().message;
    c.fix = "check the network; the sidecar uses the last record it cached meanwhile";
    return c;
  }
  std::string who = record->owner.empty() ? record->id : record->owner;
  c.detail = "logged in to " + (*cfg)->url + " as " + who + " (key " + record->id +
             (record->team.empty() ? "" : ", team " + record->team) + ")";
  std::string refusal = config::central_key_refusal(*record, (*cfg)->url);
  if (record->expires_at_ms && *record->expires_at_ms <= static_cast<int64_t>(::time(nullptr)) * 1000)
    refusal = "the key expired at " + utc_time(*record->expires_at_ms / 1000, "%Y-%m-%d %H:%M UTC") +
              ". Ask your gw administrator for a new key, then run `gw login --server " + (*cfg)->url + "`.";
  if (!refusal.empty()) {
    c.verdict = Verdict::fail;
    c.detail += ": refused";
    c.fix = refusal.starts_with("gw: ") ? refusal.substr(4) : refusal;
    return c;
  }
  c.verdict = Verdict::ok;
  return c;
}

void add_login_commands(CLI::App& app, CommandContext& ctx) {
  auto* login = app.add_subcommand("login", "Log in to the central gateway with your central key (from `gw admin keys create`)");
  auto server = std::make_shared<std::string>();
  auto ca = std::make_shared<std::string>();
  login->add_option("--server", *server, "The central gateway's URL, e.g. https://gw.example.com:8443")->required();
  login->add_option("--ca-file", *ca, "Extra CA certificate (PEM) for the central's TLS certificate");
  login->footer("The key is read from the terminal without echo, or from stdin. It is checked with the central "
                "(GET /v1/keys/self), kept in the OS credential store, and the url goes to central.toml. From then "
                "on `gw claude`, `gw codex` and `gw gemini` run as your central key.");
  login->callback([&ctx, server, ca] { ctx.exit_code = cmd_login(*server, *ca); });
  auto* logout = app.add_subcommand("logout", "Forget the central key stored by `gw login`");
  logout->callback([&ctx] { ctx.exit_code = cmd_logout(); });
}

}  // namespace gw::cli
