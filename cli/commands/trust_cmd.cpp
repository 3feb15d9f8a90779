// The machine's trust in policy signers (docs/policy-signing.md):
//   gw trust add ROOT.pub --org ORG     : pin an organisation root key (at install)
//   gw trust list                       : pinned roots and the org id
//   gw trust rm KEYID | gw trust reset  : unpin one root / forget all trust
// and the root's authoring side (run by IT where the root key lives):
//   gw trust delegate --root ROOT.key --key SIGNING.pub --expires 90d -o SIGNING.cert
//   gw trust revoke --root ROOT.key --serial N -o REVOCATIONS.json KEYID...
#include <ctime>
#include <iostream>

#include "cli/commands/cli_util.hpp"
#include "cli/commands/commands.hpp"
#include "core/common/files.hpp"
#include "core/policy/policy_loader.hpp"
#include "core/policy/trust.hpp"

namespace gw::cli {
namespace fs = std::filesystem;

namespace {

Result<Ed25519Key> read_key(const std::string& file) {
  GW_TRY(pem, read_file(file, 1 << 16));
  return Ed25519Key::from_pem(pem, file);
}

Result<fs::path> trust_path() {
  GW_TRY(paths, resolve_paths());
  return policy::trust_dir(paths);
}

int run_add(const std::string& file, const std::string& org) {
  auto dir = trust_path();
  if (!dir) return print_error(dir.error().message);
  auto key = read_key(file);
  if (!key) return print_error(key.error().message);
  if (key->has_private())
    return print_error(file + " is a PRIVATE key; pin the public half (ROOT.pub) and keep the private key offline");
  policy::TrustStore trust;
  if (auto existing = policy::TrustStore::load(*dir)) trust = *existing;
  if (auto st = trust.add_root(*key, org); !st) return print_error(st.error().message);
  if (auto st = trust.save(*dir); !st) return print_error(st.error().message);
  std::cout << "trusted root " << key->key_id() << " for organisation " << org << "\n";
  return 0;
}

int run_list() {
  auto dir = trust_path();
  if (!dir) return print_error(dir.error().message);
  auto trust = policy::TrustStore::load(*dir);
  if (!trust) return print_error(trust.error().message);
  std::cout << "organisation: " << trust->org << "\nsignatures required: " << trust->threshold << "\nroots:\n";
  for (const auto& [id, key] : trust->roots) std::cout << "  " << id << "\n";
  return 0;
}

int run_rm(const std::string& id) {
  auto dir = trust_path();
  if (!dir) return print_error(dir.error().message);
  auto trust = policy::TrustStore::load(*dir);
  if (!trust) return print_error(trust.error().message);
  if (trust->roots.erase(id) == 0) return print_error("no pinned root " + id + " (see gw trust list)");
  if (trust->roots.empty()) return print_error("refusing to remove the last root; use gw trust reset to forget all trust");
  if (auto st = trust->save(*dir); !st) return print_error(st.error().message);
  std::cout << "removed root " << id << "\n";
  return 0;
}

int run_reset() {
  auto dir = trust_path();
  if (!dir) return print_error(dir.error().message);
  std::error_code ec;
  fs::remove(*dir / "trust.json", ec);
  std::cout << "forgot all trusted roots; pin one again with gw trust add ROOT.pub --org ORG\n";
  return 0;
}

std::string org_or_trusted(const std::string& org) {
  if (!org.empty()) return org;
  auto dir = trust_path();
  if (!dir) return "";
  auto trust = policy::TrustStore::load(*dir);
  return trust ? trust->org : "";
}

int run_delegate(const std::string& root_file, const std::string& key_file, std::string org,
                 const std::string& expires, const std::string& out) {
  auto root = read_key(root_file);
  if (!root) return print_error(root.error().message);
  if (!root->has_private()) return print_error(root_file + ": --root needs the root's private key");
  auto key = read_key(key_file);
  if (!key) return print_error(key.error().message);
  org = org_or_trusted(org);
  if (org.empty()) return print_error("--org is required (no trusted organisation on this machine)");
  auto span = policy::parse_duration_s(expires);
  if (!span) return print_error("--expires: " + span.error().message);
  int64_t now = static_cast<int64_t>(::time(nullptr));
  policy::KeyCert cert{org, Ed25519Key::from_public(key->public_raw()).value(), now - 300, now + *span};
  auto doc = policy::issue_key_cert(cert, *root);
  if (!doc) return print_error(doc.error().message);
  if (auto st = write_file_atomic(out, policy::to_json(*doc).dump(2) + "\n", 0644); !st) return print_error(st.error().message);
  std::cout << out << ": root " << root->key_id() << " authorizes signing key " << key->key_id() << " for " << org
            << " for " << expires << "\n";
  return 0;
}

int run_revoke(const std::string& root_file, uint64_t serial, std::string org, const std::vector<std::string>& ids,
               const std::string& out) {
  auto root = read_key(root_file);
  if (!root) return print_error(root.error().message);
  if (!root->has_private()) return print_error(root_file + ": --root needs the root's private key");
  org = org_or_trusted(org);
  if (org.empty()) return print_error("--org is required (no trusted organisation on this machine)");
  policy::RevocationList list{org, serial, static_cast<int64_t>(::time(nullptr)), {ids.begin(), ids.end()}};
  auto doc = policy::issue_revocations(list, *root);
  if (!doc) return print_error(doc.error().message);
  if (auto st = write_file_atomic(out, policy::to_json(*doc).dump(2) + "\n", 0644); !st) return print_error(st.error().message);
  std::cout << out << ": revocation list #" << serial << " revoking " << ids.size()
            << " key(s); pass it to gw policy sign --revocations\n";
  return 0;
}

}  // namespace

void add_trust_command(CLI::App& app, CommandContext& ctx) {
  auto* trust = app.add_subcommand("trust", "Pin the root keys that policy bundles must chain to");
  trust->require_subcommand(1);

  auto file = std::make_shared<std::string>();
  auto org = std::make_shared<std::string>();
  auto* add = trust->add_subcommand("add", "Pin an organisation root public key");
  add->add_option("ROOT_PUB", *file, "root public key (PEM, from gw policy keygen)")->required();
  add->add_option("--org", *org, "organisation id the bundles must name")->required();
  add->callback([&ctx, file, org] { ctx.exit_code = run_add(*file, *org); });

  trust->add_subcommand("list", "Show the pinned roots")->callback([&ctx] { ctx.exit_code = run_list(); });
  auto id = std::make_shared<std::string>();
  auto* rm = trust->add_subcommand("rm", "Unpin a root key");
  rm->add_option("KEYID", *id, "root key id (gw trust list)")->required();
  rm->callback([&ctx, id] { ctx.exit_code = run_rm(*id); });
  trust->add_subcommand("reset", "Forget every pinned root")->callback([&ctx] { ctx.exit_code = run_reset(); });

  auto root = std::make_shared<std::string>();
  auto key = std::make_shared<std::string>();
  auto expires = std::make_shared<std::string>("90d");
  auto out = std::make_shared<std::string>();
  auto* delegate = trust->add_subcommand("delegate", "Authorize an online signing key with a root key (writes a certificate)");
  delegate->add_option("--root", *root, "root private key")->required();
  delegate->add_option("--key", *key, "signing key to authorize (its .pub)")->required();
  delegate->add_option("--org", *org, "organisation (default: the trusted one)");
  delegate->add_option("--expires", *expires, "certificate validity (default 90d)");
  delegate->add_option("--output,-o", *out, "certificate file to write")->required();
  delegate->callback([&ctx, root, key, org, expires, out] { ctx.exit_code = run_delegate(*root, *key, *org, *expires, *out); });

  auto serial = std::make_shared<uint64_t>(0);
  auto ids = std::make_shared<std::vector<std::string>>();
  auto* revoke = trust->add_subcommand("revoke", "Write a root-signed list of revoked signing keys");
  revoke->add_option("--root", *root, "root private key")->required();
  revoke->add_option("--serial", *serial, "list number; must be higher than the previous list's")->required();
  revoke->add_option("--org", *org, "organisation (default: the trusted one)");
  revoke->add_option("--output,-o", *out, "revocation list file to write")->required();
  revoke->add_option("KEYID", *ids, "signing key ids to revoke");
  revoke->callback([&ctx, root, serial, org, ids, out] { ctx.exit_code = run_revoke(*root, *serial, *org, *ids, *out); });
}

}  // namespace gw::cli
