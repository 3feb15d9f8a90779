#include <doctest/doctest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/launch/agents.hpp"
#include "cli/launch/env.hpp"
#include "tests/support/temp_dir.hpp"

using namespace gw::launch;

TEST_CASE("Launcher env: inherited provider credentials and base URLs never reach the agent") {
  EnvMap env{{"ANTHROPIC_API_KEY", "sk-ant-real"},
             {"ANTHROPIC_BASE_URL", "https://elsewhere.example"},
             {"CLAUDE_CODE_USE_BEDROCK", "1"},
             {"OPENAI_API_KEY", "sk-real"},
             {"OPENAI_BASE_URL", "https://proxy.example/v1"},
             {"CODEX_API_KEY", "sk-codex"},
             {"GEMINI_API_KEY", "AIza-real"},
             {"GOOGLE_API_KEY", "AIza-other"},
             {"GOOGLE_GEMINI_BASE_URL", "https://gem.example"},
             {"GOOGLE_APPLICATION_CREDENTIALS", "/home/u/adc.json"},
             {"GOOGLE_GENAI_USE_VERTEXAI", "true"},
             {"PATH", "/usr/bin"},
             {"HOME", "/home/u"},
             {"TERM", "xterm-256color"}};
  auto removed = strip_provider_env(env);
  CHECK(removed.size() == 11);
  CHECK(env.size() == 3);
  CHECK(env_get(env, "PATH") == "/usr/bin");
  CHECK(env_get(env, "TERM") == "xterm-256color");
  for (auto name : stripped_env_names()) CHECK_FALSE(env.contains(std::string(name)));
}

TEST_CASE("Launcher env: loopback is exempt from proxies; Gemini gets no proxy at all") {
  EnvMap env{{"HTTPS_PROXY", "http://corp:3128"}, {"no_proxy", "internal.corp, localhost"}};
  protect_loopback_from_proxy(env, false);
  CHECK(env_get(env, "HTTPS_PROXY") == "http://corp:3128");
  CHECK(env_get(env, "no_proxy") == "internal.corp, localhost,127.0.0.1,::1");
  CHECK(env_get(env, "NO_PROXY") == "internal.corp, localhost,127.0.0.1,::1");
  protect_loopback_from_proxy(env, false);  // idempotent
  CHECK(env_get(env, "NO_PROXY") == "internal.corp, localhost,127.0.0.1,::1");

  EnvMap gem{{"HTTP_PROXY", "http://p:1"}, {"https_proxy", "http://p:2"}, {"ALL_PROXY", "x"}};
  protect_loopback_from_proxy(gem, true);
  CHECK_FALSE(gem.contains("HTTP_PROXY"));
  CHECK_FALSE(gem.contains("https_proxy"));
  CHECK_FALSE(gem.contains("ALL_PROXY"));
  CHECK(env_get(gem, "NO_PROXY") == "127.0.0.1,localhost,::1");
}

TEST_CASE("Launcher env: telemetry suppression is on unless GW_LAUNCH_SUPPRESS_TELEMETRY=0") {
  CHECK(telemetry_suppressed({}));
  CHECK(telemetry_suppressed({{"GW_LAUNCH_SUPPRESS_TELEMETRY", "1"}}));
  CHECK_FALSE(telemetry_suppressed({{"GW_LAUNCH_SUPPRESS_TELEMETRY", "0"}}));
  CHECK_FALSE(telemetry_suppressed({{"GW_LAUNCH_SUPPRESS_TELEMETRY", "Off"}}));
}

TEST_CASE("Launcher env: environ arrays round-trip, first duplicate wins") {
  const char* raw[] = {"A=1", "B=x=y", "A=2", "NOEQUALS", "=bad", nullptr};
  EnvMap env = env_from_array(const_cast<char* const*>(raw));
  CHECK(env.size() == 2);
  CHECK(env_get(env, "A") == "1");
  CHECK(env_get(env, "B") == "x=y");
  CHECK(env_to_strings(env) == std::vector<std::string>{"A=1", "B=x=y"});
}

TEST_CASE("Claude plan: gateway mode at the sidecar's /anthropic prefix, in env and --settings") {
  gw::test::TempDir tmp;
  LaunchContext ctx;
  ctx.parent_env = {{"ANTHROPIC_API_KEY", "sk-ant-real"}, {"PATH", "/bin"}};
  ctx.user_args = {"-p", "say pong"};
  ctx.port = 4242;
  ctx.token = "gws_secret";
  ctx.overlay_parent = tmp.path() / "launch";
  ctx.cwd = tmp.path();
  auto plan = plan_claude(ctx);
  REQUIRE(plan);
  REQUIRE(plan->args.size() == 4);
  CHECK(plan->args[0] == "--settings");
  CHECK(plan->args[2] == "-p");
  CHECK(plan->args[3] == "say pong");
  CHECK(env_get(plan->env, "ANTHROPIC_BASE_URL") == "http://127.0.0.1:4242/anthropic");
  CHECK(env_get(plan->env, "ANTHROPIC_AUTH_TOKEN") == "gws_secret");
  CHECK(env_get(plan->env, "CLAUDE_CODE_USE_GATEWAY") == "1");
  CHECK_FALSE(plan->env.contains("ANTHROPIC_API_KEY"));
  CHECK(env_get(plan->env, "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC") == "1");
  CHECK(env_get(plan->env, "DISABLE_TELEMETRY") == "1");
  // Settings files' env blocks win over the process env in Claude Code: the flag settings
  // carry the same values and blank out the provider switches.
  std::ifstream in(plan->args[1]);
  std::stringstream ss;
  ss << in.rdbuf();
  auto settings = nlohmann::json::parse(ss.str());
  CHECK(settings["env"]["ANTHROPIC_BASE_URL"] == "http://127.0.0.1:4242/anthropic");
  CHECK(settings["env"]["CLAUDE_CODE_USE_BEDROCK"] == "");
  CHECK(settings["env"]["ANTHROPIC_API_KEY"] == "");
  auto settings_path = plan->args[1];
  plan->finish();
  CHECK_FALSE(std::filesystem::exists(settings_path));

  ctx.suppress_telemetry = false;
  auto loud = plan_claude(ctx);
  REQUIRE(loud);
  CHECK_FALSE(loud->env.contains("DISABLE_TELEMETRY"));
  loud->finish();
}

TEST_CASE("Claude settings: the user's --settings is merged under gw's env, not dropped") {
  gw::test::TempDir tmp;
  std::ofstream(tmp.path() / "mine.json") << R"({"model":"opus","env":{"FOO":"1","ANTHROPIC_BASE_URL":"https://x"}})";
  EnvMap forced{{"ANTHROPIC_BASE_URL", "http://127.0.0.1:1/anthropic"}};
  auto r = claude_settings_args({"--settings", "mine.json", "-p", "hi", "--settings={\"theme\":\"dark\"}"},
                                forced, tmp.path());
  REQUIRE(r);
  CHECK(r->args == std::vector<std::string>{"-p", "hi"});
  auto j = nlohmann::json::parse(r->settings_json);
  CHECK(j["model"] == "opus");
  CHECK(j["theme"] == "dark");
  CHECK(j["env"]["FOO"] == "1");
  CHECK(j["env"]["ANTHROPIC_BASE_URL"] == "http://127.0.0.1:1/anthropic");
  CHECK_FALSE(claude_settings_args({"--settings", "absent.json"}, forced, tmp.path()));
  CHECK_FALSE(claude_settings_args({"--settings", "{not json"}, forced, tmp.path()));
}
