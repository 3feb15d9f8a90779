#include <doctest/doctest.h>

#include "cli/launch/agents.hpp"
#include "core/config/toml_include.hpp"

using namespace gw::launch;

namespace {
toml::table parse(const std::string& s) {
  auto r = toml::parse(s);
  REQUIRE(r);
  return std::move(r).table();
}
}  // namespace

TEST_CASE("Codex overlay config: the user's config plus provider gw at the sidecar") {
  std::string user = R"(
model = "gpt-5-codex"
model_provider = "openai"
approval_policy = "on-request"
[model_providers.corp]
name = "Corp"
base_url = "https://corp.example/v1"
[profiles.fast]
model = "o4-mini"
model_provider = "corp"
[profiles.plain]
model = "o3"
[mcp_servers.docs]
command = "docs-mcp"
)";
  auto out = codex_overlay_config(user, 5151, /*suppress=*/true);
  REQUIRE(out);
  auto cfg = parse(*out);
  CHECK(cfg["model_provider"].value_or(std::string()) == "gw");
  CHECK(cfg["model"].value_or(std::string()) == "gpt-5-codex");
  CHECK(cfg["approval_policy"].value_or(std::string()) == "on-request");
  CHECK(cfg["model_providers"]["gw"]["base_url"].value_or(std::string()) ==
        "http://127.0.0.1:5151/openai/v1");
  CHECK(cfg["model_providers"]["gw"]["env_key"].value_or(std::string()) == "GW_SESSION_TOKEN");
  CHECK(cfg["model_providers"]["gw"]["wire_api"].value_or(std::string()) == "responses");
  CHECK(cfg["model_providers"]["gw"]["supports_websockets"].value_or(true) == false);
  CHECK_FALSE(cfg["profiles"]["fast"]["model_provider"]);  // a profile cannot re-route
  CHECK(cfg["profiles"]["fast"]["model"].value_or(std::string()) == "o4-mini");
  CHECK(cfg["mcp_servers"]["docs"]["command"].value_or(std::string()) == "docs-mcp");
  CHECK(cfg["analytics"]["enabled"].value_or(true) == false);
  CHECK(cfg["features"]["plugins"].value_or(true) == false);
  CHECK(cfg["check_for_update_on_startup"].value_or(true) == false);
}

TEST_CASE("Codex overlay config: empty user config; telemetry untouched when not suppressed") {
  auto out = codex_overlay_config("", 1, /*suppress=*/false);
  REQUIRE(out);
  auto cfg = parse(*out);
  CHECK(cfg["model_provider"].value_or(std::string()) == "gw");
  CHECK_FALSE(cfg["analytics"]);
  CHECK_FALSE(cfg["features"]);
}

TEST_CASE("Codex overlay config: a broken user config is reported with line and column") {
  auto out = codex_overlay_config("model = \n[x", 1, true);
  REQUIRE_FALSE(out);
  CHECK(out.error().message.starts_with("config.toml:1:"));
}

TEST_CASE("Codex args: flags that would route around the sidecar are refused") {
  const std::string user = "[profiles.corp]\nmodel_provider = \"corp\"\n[profiles.ok]\nmodel = \"o3\"\n";
  using V = std::vector<std::string>;
  for (const V& args : {V{"-c", "model_provider=\"openai\""}, V{"--config", "model_providers.x.base_url=\"h\""},
                        V{"-c", "openai_base_url=\"https://x\""}, V{"--config=chatgpt_base_url=x"},
                        V{"-cmodel_provider=oss"}, V{"exec", "-c", " 'model_provider' = x", "hi"},
                        V{"-c", "profile=corp"}, V{"--oss"}, V{"--local-provider", "ollama"},
                        V{"--remote", "ws://h:1"}, V{"exec", "--profile", "corp"}, V{"-p", "corp"},
                        V{"--profile=corp"}}) {
    auto st = check_codex_args(args, user);
    CHECK_MESSAGE(!st, args.front());
    if (!st) CHECK(st.error().code == gw::Errc::denied);
  }
  for (const V& args : {V{"exec", "--skip-git-repo-check", "-s", "read-only", "say pong"},
                        V{"-c", "model=\"o3\"", "-m", "gpt-5"}, V{"--profile", "ok"},
                        V{"-p", "unknown"}, V{"exec", "--", "--oss"}, V{"-C", "/tmp"}}) {
    CHECK_MESSAGE(check_codex_args(args, user), args.front());
  }
}

TEST_CASE("Codex forced args: provider gw defined on the command line, no secret in argv") {
  auto args = codex_forced_args(777);
  REQUIRE(args.size() == 4);
  CHECK(args[0] == "-c");
  CHECK(args[1] == "model_provider=\"gw\"");
  auto value = args[3].substr(args[3].find('=') + 1);
  auto tbl = parse("p = " + value);
  CHECK(tbl["p"]["base_url"].value_or(std::string()) == "http://127.0.0.1:777/openai/v1");
  CHECK(tbl["p"]["env_key"].value_or(std::string()) == "GW_SESSION_TOKEN");
  CHECK(tbl["p"]["supports_websockets"].value_or(true) == false);
}
