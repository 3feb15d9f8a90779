#include "cli/launch/env.hpp"

#include <algorithm>
#include <cctype>

namespace gw::launch {

EnvMap env_from_array(char* const* envp) {
  EnvMap env;
  if (envp == nullptr) return env;
  for (char* const* p = envp; *p != nullptr; ++p) {
    std::string_view entry(*p);
    auto eq = entry.find('=');
    if (eq == std::string_view::npos || eq == 0) continue;
    env.emplace(std::string(entry.substr(0, eq)), std::string(entry.substr(eq + 1)));
  }
  return env;
}

std::vector<std::string> env_to_strings(const EnvMap& env) {
  std::vector<std::string> out;
  out.reserve(env.size());
  for (const auto& [name, value] : env) out.push_back(name + "=" + value);
  return out;
}

std::string env_get(const EnvMap& env, std::string_view name) {
  auto it = env.find(std::string(name));
  return it == env.end() ? std::string() : it->second;
}

const std::vector<std::string_view>& stripped_env_names() {
  static const std::vector<std::string_view> k_names = {
      // Anthropic and the clouds Claude Code can route to instead of the base URL.
      "ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN", "ANTHROPIC_BASE_URL",
      "ANTHROPIC_CUSTOM_HEADERS", "ANTHROPIC_UNIX_SOCKET", "ANTHROPIC_BEDROCK_BASE_URL",
      "ANTHROPIC_VERTEX_BASE_URL", "ANTHROPIC_FOUNDRY_API_KEY", "ANTHROPIC_FOUNDRY_BASE_URL",
      "ANTHROPIC_FOUNDRY_RESOURCE", "CLAUDE_CODE_USE_BEDROCK", "CLAUDE_CODE_USE_VERTEX",
      "CLAUDE_CODE_USE_FOUNDRY", "CLAUDE_CODE_OAUTH_TOKEN", "CLAUDE_CODE_USE_GATEWAY",
      "CLAUDE_CODE_SKIP_BEDROCK_AUTH", "CLAUDE_CODE_SKIP_VERTEX_AUTH", "AWS_BEARER_TOKEN_BEDROCK",
      // OpenAI / Codex / Azure.
      "OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENAI_API_BASE", "CODEX_API_KEY",
      "CODEX_ACCESS_TOKEN", "AZURE_OPENAI_API_KEY", "AZURE_OPENAI_ENDPOINT",
      // Gemini / Google.
      "GEMINI_API_KEY", "GOOGLE_API_KEY", "GOOGLE_GEMINI_BASE_URL", "GOOGLE_VERTEX_BASE_URL",
      "GOOGLE_APPLICATION_CREDENTIALS", "GOOGLE_GENAI_USE_VERTEXAI", "GOOGLE_GENAI_USE_GCA",
      "GOOGLE_CLOUD_ACCESS_TOKEN", "GEMINI_API_KEY_AUTH_MECHANISM", "GEMINI_CLI_CUSTOM_HEADERS",
      "GEMINI_CLI_USE_COMPUTE_ADC", "CLOUD_SHELL",
      // A session token of an enclosing gw launch must not leak into this one.
      "GW_SESSION_TOKEN",
  };
  return k_names;
}

std::vector<std::string> strip_provider_env(EnvMap& env) {
  std::vector<std::string> removed;
  for (auto name : stripped_env_names()) {
    if (env.erase(std::string(name)) > 0) removed.emplace_back(name);
  }
  return removed;
}

namespace {

// Appends the loopback names missing from a comma-separated NO_PROXY list.
std::string with_loopback(std::string list) {
  static const char* const k_loopback[] = {"127.0.0.1", "localhost", "::1"};
  auto has = [&](std::string_view want) {
    size_t start = 0;
    while (start <= list.size()) {
      size_t end = list.find(',', start);
      if (end == std::string::npos) end = list.size();
      std::string_view item(list.data() + start, end - start);
      while (!item.empty() && std::isspace(static_cast<unsigned char>(item.front())))
        item.remove_prefix(1);
      while (!item.empty() && std::isspace(static_cast<unsigned char>(item.back())))
        item.remove_suffix(1);
      if (item == want) return true;
      start = end + 1;
    }
    return false;
  };
  for (const char* name : k_loopback) {
    if (has(name)) continue;
    if (!list.empty() && list.back() != ',') list += ',';
    list += name;
  }
  return list;
}

}  // namespace

void protect_loopback_from_proxy(EnvMap& env, bool drop_proxies) {
  static const char* const k_proxy_vars[] = {"HTTP_PROXY", "http_proxy",  "HTTPS_PROXY",
                                             "https_proxy", "ALL_PROXY", "all_proxy"};
  if (drop_proxies) {
    for (const char* name : k_proxy_vars) env.erase(name);
  }
  // Both spellings: some clients read only one of them. A lone "*" already exempts everything.
  std::string merged = env_get(env, "NO_PROXY");
  std::string lower = env_get(env, "no_proxy");
  if (merged.empty()) merged = lower;
  if (merged != "*") merged = with_loopback(merged);
  env["NO_PROXY"] = merged;
  env["no_proxy"] = lower == "*" ? lower : with_loopback(lower.empty() ? merged : lower);
}

bool telemetry_suppressed(const EnvMap& env) {
  std::string v = env_get(env, "GW_LAUNCH_SUPPRESS_TELEMETRY");
  std::transform(v.begin(), v.end(), v.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return !(v == "0" || v == "false" || v == "no" || v == "off");
}

}  // namespace gw::launch
