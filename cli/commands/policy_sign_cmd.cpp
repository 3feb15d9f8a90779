// Signed policy bundles (docs/policy-signing.md):
//   gw policy keygen --out NAME            : Ed25519 key pair NAME.key (0600) + NAME.pub
//   gw policy sign POLICY --key K.key [--cert K.cert]... --org ORG --version N --expires 7d
//                  [--grace 3d] [--fail-mode closed|open] [--revocations R.json] -o BUNDLE
//   gw policy verify BUNDLE                : checks it as a sidecar would, without installing it
//   gw policy install BUNDLE               : verifies, installs as last-known-good, reloads the sidecar
//   gw policy show                         : what is in force, from where, until when
//   gw policy publish BUNDLE --server URL  : uploads a bundle to the central gateway (gw serve)
//   gw policy fetch                        : makes the running sidecar fetch from the central now
#include <httplib.h>
#include <sys/stat.h>

#include <ctime>
#include <iostream>
#include <map>

#include <nlohmann/json.hpp>

#include "agent/control_client.hpp"
#include "cli/commands/cli_util.hpp"
#include "cli/commands/progress.hpp"
#include "cli/commands/commands.hpp"
#include "core/common/files.hpp"
#include "core/config/policy.hpp"
#include "core/policy/bundle.hpp"
#include "core/policy/policy_loader.hpp"

namespace gw::cli {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

int64_t now_s() { return static_cast<int64_t>(::time(nullptr)); }

Result<Ed25519Key> read_key(const std::string& file) {
  GW_TRY(pem, read_file(file, 1 << 16));
  return Ed25519Key::from_pem(pem, file);
}

Result<policy::SignedDoc> read_signed(const std::string& file, std::string_view type) {
  GW_TRY(text, read_file(file, 1 << 20));
  json j = json::parse(text, nullptr, false);
  GW_TRY(doc, policy::signed_doc_from_json(j, file));
  if (doc.type != type) return fail(Errc::invalid_argument, file + ": is a " + doc.type + ", not a " + std::string(type));
  return doc;
}

int run_keygen(const std::string& out, bool force) {
  fs::path priv = out + ".key", pub = out + ".pub";
  std::error_code ec;
  if (!force && (fs::exists(priv, ec) || fs::exists(pub, ec)))
    return print_error(priv.string() + " or " + pub.string() + " exists; choose another name or pass --force");
  Ed25519Key key = Ed25519Key::generate();
  if (auto st = write_file_atomic(priv, key.to_private_pem(), 0600); !st) return print_error(st.error().message);
  if (auto st = write_file_atomic(pub, key.to_public_pem(), 0644); !st) return print_error(st.error().message);
  std::cout << "key id:  " << key.key_id() << "\nprivate: " << priv.string() << " (keep it offline or in a vault)\n"
            << "public:  " << pub.string() << "\n";
  return 0;
}

struct SignArgs {
  std::string policy_file, org, expires = "7d", grace = "3d", fail_mode = "closed", revocations, out;
  uint64_t version = 0;
  std::vector<std::string> keys, certs;
};

int run_sign(const SignArgs& a) {
  auto text = read_file(a.policy_file, policy::k_max_bundle_bytes);
  if (!text) return print_error(text.error().message);
  bool is_json = fs::path(a.policy_file).extension() == ".json";
  auto parsed = is_json ? config::parse_policy_json(*text, a.policy_file) : config::parse_policy(*text, a.policy_file);
  if (!parsed) {
    std::cerr << parsed.error().message << "\n";
    return print_error(a.policy_file + ": policy is invalid; nothing was signed");
  }
  auto expires = policy::parse_duration_s(a.expires);
  auto grace = policy::parse_duration_s(a.grace);
  if (!expires || !grace) return print_error("--expires/--grace: " + (!expires ? expires.error() : grace.error()).message);
  if (a.fail_mode != "closed" && a.fail_mode != "open") return print_error("--fail-mode must be closed or open");
  if (a.version == 0) return print_error("--version must be a number >= 1, higher than the bundle in force");

  std::map<std::string, policy::SignedDoc> certs;  // by certified key id
  for (const auto& f : a.certs) {
    auto doc = read_signed(f, policy::k_type_key_cert);
    if (!doc) return print_error(doc.error().message);
    json p = json::parse(doc->payload, nullptr, false);
    if (!p.is_object() || !p.contains("key_id")) return print_error(f + ": not a signing-key certificate");
    certs[p["key_id"].get<std::string>()] = *doc;
  }
  std::vector<policy::Signer> signers;
  for (const auto& f : a.keys) {
    auto key = read_key(f);
    if (!key) return print_error(key.error().message);
    if (!key->has_private()) return print_error(f + ": is a public key; --key needs the private key file (NAME.key)");
    policy::Signer s{*key, std::nullopt};
    if (auto it = certs.find(key->key_id()); it != certs.end()) s.cert = it->second;
    signers.push_back(std::move(s));
  }
  std::optional<policy::SignedDoc> revs;
  if (!a.revocations.empty()) {
    auto doc = read_signed(a.revocations, policy::k_type_revocations);
    if (!doc) return print_error(doc.error().message);
    revs = *doc;
  }
  policy::BundlePayload p;
  p.org = a.org;
  p.version = a.version;
  p.issued_at = now_s();
  p.expires_at = p.issued_at + *expires;
  p.grace_s = *grace;
  p.fail_mode = a.fail_mode == "open" ? policy::FailMode::open : policy::FailMode::closed;
  p.policy_format = is_json ? "json" : "toml";
  p.policy_text = *text;
  auto bundle = policy::sign_bundle(p, signers, revs);
  if (!bundle) return print_error(bundle.error().message);
  if (auto st = write_file_atomic(a.out, *bundle, 0644); !st) return print_error(st.error().message);
  std::cout << a.out << ": bundle v" << a.version << " for " << a.org << ", signed by " << signers.size()
            << " key(s), expires in " << a.expires << "\n";
  return 0;
}

int run_verify(const std::string& file) {
  auto paths = resolve_paths();
  if (!paths) return print_error(paths.error().message);
  auto bytes = read_file(file, policy::k_max_bundle_bytes + 1);
  if (!bytes) return print_error(bytes.error().message);
  auto trust = policy::TrustStore::load(policy::trust_dir(*paths));
  if (!trust) return print_error(trust.error().message);
  policy::VerifyOptions opts;
  opts.now_s = now_s();
  auto v = policy::verify_bundle(*bytes, *trust, {}, opts);
  if (!v) return print_error(file + ": " + v.error().message + " [" + std::string(policy::to_string(v.error().reason)) + "]");
  std::cout << file << ": OK: valid bundle v" << v->payload.version << " for " << v->payload.org << "\n";
  auto info = policy::BundleStore(policy::bundle_dir(*paths)).load_info();
  if (info && info->state.version > 0) {
    auto relation = policy::verify_bundle(*bytes, *trust, info->state, opts);
    if (!relation) std::cout << "but this machine would refuse it: " << relation.error().message << "\n";
    else if (relation->unchanged) std::cout << "it is the bundle in force here\n";
    else std::cout << "it is newer than the bundle in force here (v" << info->state.version << ")\n";
  }
  return 0;
}

int run_install(const std::string& file) {
  auto paths = resolve_paths();
  if (!paths) return print_error(paths.error().message);
  auto bytes = read_file(file, policy::k_max_bundle_bytes + 1);
  if (!bytes) return print_error(bytes.error().message);
  auto v = policy::install_bundle(*paths, *bytes, fs::absolute(file).string(), now_s());
  if (!v) return print_error(v.error().message);
  std::cout << (v->unchanged ? "already in force: " : "installed: ") << "bundle v" << v->payload.version << " for "
            << v->payload.org << "\n";
  auto r = agent::control_call(*paths, {{"op", "reload"}});
  if (r) std::cout << "the running sidecar reloaded it\n";
  return 0;
}

int run_show() {
  auto paths = resolve_paths();
  if (!paths) return print_error(paths.error().message);
  auto in_force = policy::load_policy_in_force(*paths, env_str("GW_POLICY"), now_s());
  if (!in_force) return print_error(in_force.error().message);
  std::cout << policy::describe(*in_force, now_s());
  auto st = agent::control_call(*paths, {{"op", "status"}}, 1000);
  if (st && st->contains("policy"))
    std::cout << "sidecar:   running, enforcing " << (*st)["policy"].value("source", "?") << "\n";
  else
    std::cout << "sidecar:   not running\n";
  return 0;
}

struct PublishArgs {
  std::string file, server, token_file, token_env = "GW_PUBLISH_TOKEN", ca_file;
};

int run_publish(const PublishArgs& a) {
  auto bytes = read_file(a.file, policy::k_max_bundle_bytes + 1);
  if (!bytes) return print_error(bytes.error().message);
  if (!policy::looks_like_bundle(*bytes)) return print_error(a.file + " is not a policy bundle (make one with gw policy sign)");
  std::string token;
  if (!a.token_file.empty()) {
    auto t = read_file(a.token_file, 4096);
    if (!t) return print_error(t.error().message);
    token = *t;
  } else {
    token = env_str(a.token_env.c_str());
  }
  while (!token.empty() && (token.back() == '\n' || token.back() == '\r' || token.back() == ' ')) token.pop_back();
  if (token.empty())
    return print_error("no publisher token: pass --token-file FILE or set $" + a.token_env +
                       " (a token configured under [policy.publishers] of the server's server.toml)");
  if (!a.server.starts_with("https://") && !a.server.starts_with("http://"))
    return print_error("--server must be an https:// URL (http:// only for a loopback test server)");
  httplib::Client cli(a.server);
  if (!a.ca_file.empty()) cli.set_ca_cert_path(a.ca_file.c_str());
  cli.set_connection_timeout(10, 0);
  cli.set_read_timeout(60, 0);
  auto res = [&] {
    Progress progress("publishing to " + a.server + "...");  // on a terminal only
    return cli.Post("/v1/policy/bundle", {{"Authorization", "Bearer " + token}}, *bytes, "application/vnd.gw.policy-bundle+json");
  }();
  if (!res) return print_error("cannot reach " + a.server + " (" + httplib::to_string(res.error()) + ")");
  json body = json::parse(res->body, nullptr, false);
  if (res->status != 200) {
    std::string msg = body.is_object() && body.contains("error") ? body["error"].value("message", res->body) : res->body;
    return print_error("the central gateway refused the bundle (HTTP " + std::to_string(res->status) + "): " + msg);
  }
  std::cout << (body.value("unchanged", false) ? "already published: " : "published: ") << "bundle v"
            << body.value("version", uint64_t{0}) << " for " << body.value("org", "") << " at " << a.server
            << "; sidecars pick it up at their next poll\n";
  return 0;
}

int run_fetch() {
  auto paths = resolve_paths();
  if (!paths) return print_error(paths.error().message);
  auto r = [&] {
    Progress progress("fetching the signed policy from the central gateway...");  // on a terminal only
    return agent::control_call(*paths, {{"op", "policy-fetch"}}, 60000);
  }();
  if (!r) return print_error("the sidecar is not running (" + r.error().message + "); start it with gw agent start");
  if (!r->value("ok", false)) return print_error(r->value("error", "the fetch failed"));
  std::cout << "policy fetch: " << r->value("result", "") << "\n";
  return 0;
}

}  // namespace

void add_policy_signing_commands(CLI::App& policy, CommandContext& ctx) {
  auto* keygen = policy.add_subcommand("keygen", "Make an Ed25519 key pair for signing policy (NAME.key, NAME.pub)");
  auto out = std::make_shared<std::string>();
  auto force = std::make_shared<bool>(false);
  keygen->add_option("--out,-o", *out, "file name prefix")->required();
  keygen->add_flag("--force", *force, "overwrite existing files");
  keygen->callback([&ctx, out, force] { ctx.exit_code = run_keygen(*out, *force); });

  auto a = std::make_shared<SignArgs>();
  auto* sign = policy.add_subcommand("sign", "Sign a policy file into a bundle");
  sign->add_option("POLICY", a->policy_file, "policy file (.toml or .json)")->required();
  sign->add_option("--key", a->keys, "private signing key (repeat for several signatures)")->required();
  sign->add_option("--cert", a->certs, "certificate of a delegated signing key (from gw trust delegate)");
  sign->add_option("--org", a->org, "organisation id the bundle is for")->required();
  sign->add_option("--version", a->version, "bundle version; must be higher than the one in force")->required();
  sign->add_option("--expires", a->expires, "validity from now, e.g. 7d, 12h (default 7d)");
  sign->add_option("--grace", a->grace, "offline grace after expiry (default 3d)");
  sign->add_option("--fail-mode", a->fail_mode, "after expiry + grace while offline: closed (default) or open");
  sign->add_option("--revocations", a->revocations, "revocation list to carry (from gw trust revoke)");
  sign->add_option("--output,-o", a->out, "bundle file to write")->required();
  sign->callback([&ctx, a] { ctx.exit_code = run_sign(*a); });

  auto file = std::make_shared<std::string>();
  auto* verify = policy.add_subcommand("verify", "Verify a bundle against this machine's trusted roots");
  verify->add_option("BUNDLE", *file, "bundle file")->required();
  verify->callback([&ctx, file] { ctx.exit_code = run_verify(*file); });

  auto* install = policy.add_subcommand("install", "Verify a bundle and make it the policy in force");
  install->add_option("BUNDLE", *file, "bundle file")->required();
  install->callback([&ctx, file] { ctx.exit_code = run_install(*file); });

  auto pub = std::make_shared<PublishArgs>();
  auto* publish = policy.add_subcommand("publish", "Upload a bundle to the central gateway, which serves it to every sidecar");
  publish->add_option("BUNDLE", pub->file, "bundle file")->required();
  publish->add_option("--server", pub->server, "central gateway URL, e.g. https://gw.example.com:8443")->required();
  publish->add_option("--token-file", pub->token_file, "file holding the publisher token");
  publish->add_option("--token-env", pub->token_env, "environment variable holding the token (default GW_PUBLISH_TOKEN)");
  publish->add_option("--ca-file", pub->ca_file, "CA bundle (PEM) to verify the server's certificate");
  publish->callback([&ctx, pub] { ctx.exit_code = run_publish(*pub); });

  policy.add_subcommand("fetch", "Make the running sidecar fetch the signed policy from the central gateway now")
      ->callback([&ctx] { ctx.exit_code = run_fetch(); });

  policy.add_subcommand("show", "Show the policy in force, where it came from and until when")
      ->callback([&ctx] { ctx.exit_code = run_show(); });
}

}  // namespace gw::cli
