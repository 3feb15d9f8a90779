#include "core/config/policy.hpp"

#include <openssl/evp.h>

#include <fstream>
#include <sstream>

#include "core/common/crypto.hpp"
#include "core/config/policy_decode.hpp"

namespace gw::config {

std::string_view to_string(ApiKind kind) {
  switch (kind) {
    case ApiKind::anthropic: return "anthropic";
    case ApiKind::openai: return "openai";
    case ApiKind::gemini: return "gemini";
  }
  return "?";
}

std::string_view to_string(Period period) {
  switch (period) {
    case Period::hour: return "hour";
    case Period::day: return "day";
    case Period::week: return "week";
    case Period::month: return "month";
    case Period::quarter: return "quarter";
    case Period::year: return "year";
  }
  return "?";
}

std::string_view to_string(Window window) {
  return window == Window::calendar ? "calendar" : "rolling";
}

const VirtualKey* Policy::find_by_secret(std::string_view secret) const {
  auto it = key_by_hash.find(hash_key_secret(secret));
  return it == key_by_hash.end() ? nullptr : find_key(it->second);
}

const VirtualKey* Policy::find_key(std::string_view id) const {
  auto it = keys.find(std::string(id));
  return it == keys.end() ? nullptr : &it->second;
}

const Team* Policy::find_team(std::string_view id) const {
  auto it = teams.find(std::string(id));
  return it == teams.end() ? nullptr : &it->second;
}

std::string hash_key_secret(std::string_view secret) {
  // Fetched once: OpenSSL 3 otherwise looks the digest up on every call (the hot auth path).
  static EVP_MD* const k_md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (!k_md || EVP_Digest(secret.data(), secret.size(), out, &len, k_md, nullptr) != 1)
    return "sha256:" + gw::sha256_hex(secret);
  return "sha256:" + gw::to_hex(std::string_view(reinterpret_cast<char*>(out), len));
}

std::string new_key_secret() { return "gwk_" + gw::base64url(gw::random_bytes(32)); }

bool glob_match(std::string_view glob, std::string_view name) {
  // Iterative matcher with single-star backtracking: linear in practice, no recursion.
  size_t g = 0, n = 0, star = std::string_view::npos, mark = 0;
  while (n < name.size()) {
    if (g < glob.size() && (glob[g] == '?' || glob[g] == name[n])) {
      ++g, ++n;
    } else if (g < glob.size() && glob[g] == '*') {
      star = g++, mark = n;
    } else if (star != std::string_view::npos) {
      g = star + 1, n = ++mark;
    } else {
      return false;
    }
  }
  while (g < glob.size() && glob[g] == '*') ++g;
  return g == glob.size();
}

bool model_allowed(const ModelAccess& access, std::string_view provider, std::string_view model) {
  if (model.starts_with("models/")) model.remove_prefix(7);
  bool provider_ok = false;
  for (const auto& p : access.providers) provider_ok |= (p == provider);
  if (!provider_ok) return false;
  for (const auto& d : access.deny_models)
    if (glob_match(d, model)) return false;
  for (const auto& a : access.models)
    if (glob_match(a, model)) return true;
  return false;
}

namespace {

gw::Result<std::shared_ptr<const Policy>> finish(const detail::SourceDoc& doc) {
  detail::Diagnostics diag(doc);
  Policy policy = detail::decode_policy(doc, diag);
  if (diag.ok()) detail::validate_policy(policy, diag);
  if (!diag.ok()) return gw::fail(gw::Errc::config, diag.text());
  return std::make_shared<const Policy>(std::move(policy));
}

}  // namespace

gw::Result<std::shared_ptr<const Policy>> parse_policy(std::string_view toml_text,
                                                        std::string_view file_name) {
  GW_TRY(doc, detail::toml_to_doc(toml_text, file_name));
  return finish(doc);
}

gw::Result<std::shared_ptr<const Policy>> parse_policy_json(std::string_view json_text,
                                                             std::string_view file_name) {
  GW_TRY(doc, detail::json_to_doc(json_text, file_name));
  return finish(doc);
}

gw::Result<std::shared_ptr<const Policy>> load_policy_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return gw::fail(gw::Errc::io, path.string() + ": cannot read the policy file");
  std::ostringstream ss;
  ss << in.rdbuf();
  if (path.extension() == ".json") return parse_policy_json(ss.str(), path.string());
  return parse_policy(ss.str(), path.string());
}

std::shared_ptr<const Policy> default_policy() {
  static const std::shared_ptr<const Policy> k_policy = [] {
    Policy p;
    p.version = "builtin-default";
    auto add = [&](const char* id, ApiKind kind, const char* url, const char* env) {
      p.providers[id] = ProviderConfig{id, kind, url, {CredentialSource::Kind::env, env}, false};
    };
    add("anthropic", ApiKind::anthropic, "https://api.anthropic.com", "ANTHROPIC_API_KEY");
    add("openai", ApiKind::openai, "https://api.openai.com", "OPENAI_API_KEY");
    add("gemini", ApiKind::gemini, "https://generativelanguage.googleapis.com", "GEMINI_API_KEY");
    p.prices = PriceTable::defaults();
    VirtualKey local;
    local.id = "local";
    local.owner = "local user";
    local.access.providers = {"anthropic", "openai", "gemini"};
    local.access.models = {"*"};
    p.keys["local"] = local;
    p.local_key = "local";
    p.enforce_auth = true;
    return std::make_shared<const Policy>(std::move(p));
  }();
  return k_policy;
}

}  // namespace gw::config
