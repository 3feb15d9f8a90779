// gw policy check FILE   : runs the daemon's own policy validation; OK + summary, or the errors
//                          (one per line, FILE:LINE:COL: path: problem) and exit code 1.
// gw policy hash-key     : reads a key secret on stdin (or makes one with --new) and prints the
//                          secret_hash line to paste into [keys.ID]. The secret is never stored.
#include <iostream>
#include <string>

#include "cli/commands/commands.hpp"
#include "core/config/policy.hpp"
#include "core/config/policy_summary.hpp"

namespace gw::cli {

namespace {

int run_check(const std::string& file) {
  auto policy = config::load_policy_file(file);
  if (!policy) {
    std::cerr << policy.error().message << "\n";
    std::cerr << "gw: " << file << ": policy is invalid\n";
    return 1;
  }
  std::cout << file << ": OK\n" << config::summarize_policy(**policy);
  return 0;
}

int run_hash_key(bool make_new) {
  std::string secret;
  if (make_new) {
    secret = config::new_key_secret();
    std::cout << "secret:      " << secret << "\n"
              << "             (give this to the key's owner now; gw keeps only the hash)\n";
  } else {
    if (!std::getline(std::cin, secret) || secret.empty()) {
      std::cerr << "gw: policy hash-key: type or pipe the key secret on stdin (or use --new)\n";
      return 1;
    }
    while (!secret.empty() && (secret.back() == '\r' || secret.back() == ' ')) secret.pop_back();
  }
  std::cout << "secret_hash = \"" << config::hash_key_secret(secret) << "\"\n";
  return 0;
}

}  // namespace

void add_policy_command(CLI::App& app, CommandContext& ctx) {
  auto* policy = app.add_subcommand("policy", "Check, sign, verify and install policy");
  policy->require_subcommand(1);

  auto* check = policy->add_subcommand("check", "Validate a policy file exactly as the daemon does");
  auto file = std::make_shared<std::string>();
  check->add_option("FILE", *file, "policy file (.toml, or .json for the bundle form)")->required();
  check->callback([&ctx, file] { ctx.exit_code = run_check(*file); });

  auto* hash = policy->add_subcommand("hash-key", "Print the secret_hash of a key secret read on stdin");
  auto make_new = std::make_shared<bool>(false);
  hash->add_flag("--new", *make_new, "generate a new random secret and print it with its hash");
  hash->callback([&ctx, make_new] { ctx.exit_code = run_hash_key(*make_new); });

  add_policy_signing_commands(*policy, ctx);
}

}  // namespace gw::cli
