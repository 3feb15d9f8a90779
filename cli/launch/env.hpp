#pragma once
// The child environment of a launched agent, as a plain sorted map so that every rule is a pure,
// unit-tested function: copy the parent's environment, strip whatever could send the agent's
// model traffic (or its credentials) anywhere but the sidecar, then set the per-agent variables.
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace gw::launch {

using EnvMap = std::map<std::string, std::string>;

// Copies a NULL-terminated `NAME=value` array (e.g. `environ`). Entries without '=' are skipped;
// for duplicate names the first wins (what getenv does).
EnvMap env_from_array(char* const* envp);
// `NAME=value` strings for execve, in name order.
std::vector<std::string> env_to_strings(const EnvMap& env);
// The value of name, or "" when unset.
std::string env_get(const EnvMap& env, std::string_view name);

// Removes every inherited provider credential, base URL and provider-selection switch of the
// three agents' ecosystems (Anthropic/Bedrock/Vertex/Foundry, OpenAI/Codex/Azure, Gemini/Google).
// Returns the names removed (never values), so the launcher can mention them in debug output.
std::vector<std::string> strip_provider_env(EnvMap& env);

// The names strip_provider_env removes; exposed for tests and documentation.
const std::vector<std::string_view>& stripped_env_names();

// Keeps loopback traffic away from any HTTP(S) proxy: appends 127.0.0.1, localhost and ::1 to
// NO_PROXY and no_proxy (creating them when missing, never duplicating an entry). When
// drop_proxies is true the proxy variables themselves are removed instead (for a client that
// ignores NO_PROXY, like Gemini CLI's model client).
void protect_loopback_from_proxy(EnvMap& env, bool drop_proxies);

// Whether telemetry suppression is on: default on; GW_LAUNCH_SUPPRESS_TELEMETRY=0|false|no|off
// turns it off.
bool telemetry_suppressed(const EnvMap& env);

}  // namespace gw::launch
