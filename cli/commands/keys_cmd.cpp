// gw keys set|list|rm: provider API keys in the OS secret store (see core/secrets/secret_store.hpp).
#include <termios.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands/cli_util.hpp"
#include "cli/commands/colour.hpp"
#include "cli/commands/commands.hpp"
#include "core/common/crypto.hpp"
#include "core/secrets/secret_store.hpp"

namespace gw::cli {

namespace {

Result<std::unique_ptr<secrets::SecretStore>> open_store() {
  auto paths = resolve_paths();
  if (!paths) return std::unexpected(paths.error());
  return secrets::open_secret_store(*paths);
}

// Warns on stderr when keys live in the plain-file fallback.
void warn_if_insecure(const secrets::SecretStore& store) {
  if (secrets::is_secure(store.backend())) return;
  std::fprintf(stderr, "%s: keys are kept in a plain file, %s (mode 0600), because no Secret Service answers on "
                       "this machine; install and unlock a keyring (gnome-keyring) to keep them encrypted\n",
               paint("warning", Colour::yellow, true).c_str(), store.location().c_str());
}

// The key from the terminal without echo, or all of stdin when it is not a terminal. Trailing
// newlines are dropped (a key pasted with Enter, or `echo KEY |`).
Result<std::string> read_secret(const std::string& name) {
  std::string value;
  if (::isatty(0)) {
    std::fprintf(stderr, "API key for %s (input hidden): ", name.c_str());
    std::fflush(stderr);
    termios old {};
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
  while (!value.empty() && (value.back() == '\n' || value.back() == '\r')) value.pop_back();
  if (value.empty()) return fail(Errc::invalid_argument, "no key given; paste the key, or pipe it: `gw keys set " + name + " < keyfile`");
  if (value.find_first_of("\n\r") != std::string::npos)
    return fail(Errc::invalid_argument, "the key spans several lines; give one key on one line");
  return value;
}

int cmd_set(const std::string& name) {
  if (auto ok = secrets::check_item_name(name); !ok) return print_error(ok.error().message);
  if (secrets::is_internal_item(name))
    return print_error("names starting with 'gw.' are gw's own items (device key, login token); choose another name");
  auto store = open_store();
  if (!store) return print_error(store.error().message);
  warn_if_insecure(**store);
  auto value = read_secret(name);
  if (!value) return print_error(value.error().message);
  if (auto ok = (*store)->set(name, *value); !ok) return print_error(ok.error().message);
  std::printf("stored key '%s' (fingerprint %s) in %s\n", name.c_str(), fingerprint(*value).c_str(),
              (*store)->location().c_str());
  std::puts("a running sidecar uses it within 30 s (or at once after `gw agent stop`)");
  return 0;
}

int cmd_list(bool json) {
  auto store = open_store();
  if (!store) return print_error(store.error().message);
  auto names = (*store)->list();
  if (!names) return print_error(names.error().message);
  nlohmann::json out = {{"backend", secrets::to_string((*store)->backend())}, {"location", (*store)->location()},
                        {"secure", secrets::is_secure((*store)->backend())}, {"keys", nlohmann::json::array()}};
  for (const auto& n : *names) {
    if (secrets::is_internal_item(n)) continue;
    auto v = (*store)->get(n);
    if (!v) return print_error(v.error().message);
    out["keys"].push_back({{"name", n}, {"fingerprint", *v ? fingerprint(**v) : ""}});
  }
  if (json) {
    std::cout << out.dump(2) << "\n";
    return 0;
  }
  warn_if_insecure(**store);
  std::printf("keys in %s:\n", (*store)->location().c_str());
  if (out["keys"].empty()) std::puts("  (none; add one with `gw keys set PROVIDER`)");
  for (const auto& k : out["keys"])
    std::printf("  %-24s %s\n", k["name"].get<std::string>().c_str(), k["fingerprint"].get<std::string>().c_str());
  return 0;
}

int cmd_rm(const std::string& name) {
  if (secrets::is_internal_item(name)) return print_error("'" + name + "' is one of gw's own items; `gw keys` does not remove it");
  auto store = open_store();
  if (!store) return print_error(store.error().message);
  auto removed = (*store)->remove(name);
  if (!removed) return print_error(removed.error().message);
  if (!*removed) return print_error("no key named '" + name + "' in " + (*store)->location() + "; see `gw keys list`");
  std::printf("removed key '%s' from %s\n", name.c_str(), (*store)->location().c_str());
  return 0;
}

}  // namespace

void add_keys_command(CLI::App& app, CommandContext& ctx) {
  auto* keys = app.add_subcommand("keys", "Store provider API keys in the OS keychain (Secret Service, macOS Keychain)");
  keys->require_subcommand(1);
  keys->footer("The sidecar reads a provider's key from the item named in the policy (credential = { keychain = \"NAME\" }), "
               "or from the item named after the provider when its environment variable is unset. "
               "Backend: $GW_SECRET_BACKEND = auto (default) | secret-service | keychain | file.");
  auto name = std::make_shared<std::string>();
  auto* set = keys->add_subcommand("set", "Store the key for PROVIDER, read from the terminal without echo or from stdin");
  set->add_option("PROVIDER", *name, "Item name: a provider id (anthropic, openai, gemini) or the policy's keychain name")->required();
  set->callback([&ctx, name] { ctx.exit_code = cmd_set(*name); });

  auto json = std::make_shared<bool>(false);
  auto* list = keys->add_subcommand("list", "List stored keys: names and fingerprints, never the keys");
  list->add_flag("--json", *json, "Machine-readable output");
  list->callback([&ctx, json] { ctx.exit_code = cmd_list(*json); });

  auto* rm = keys->add_subcommand("rm", "Remove the key stored for PROVIDER");
  rm->add_option("PROVIDER", *name, "Item name")->required();
  rm->callback([&ctx, name] { ctx.exit_code = cmd_rm(*name); });
}

}  // namespace gw::cli
