#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "cli/launch/agents.hpp"
#include "cli/launch/overlay.hpp"
#include "tests/support/temp_dir.hpp"

namespace fs = std::filesystem;
using namespace gw::launch;

namespace {
void write(const fs::path& p, const std::string& s) {
  fs::create_directories(p.parent_path());
  std::ofstream(p) << s;
}
std::string read(const fs::path& p) {
  std::ifstream in(p);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}
}  // namespace

TEST_CASE("HomeOverlay: links the user's entries, hides excluded ones, keeps new files on exit") {
  gw::test::TempDir tmp;
  fs::path real = tmp.path() / "codex-home";
  write(real / "config.toml", "model = \"o3\"\n");
  write(real / "auth.json", "{\"OPENAI_API_KEY\":\"sk-real\"}");
  write(real / "AGENTS.md", "be nice");
  write(real / "sessions" / "old.jsonl", "{}");

  auto ov = HomeOverlay::create(tmp.path() / "launch", "codex", "", real, {"config.toml", "auth.json"});
  REQUIRE(ov);
  fs::path dir = ov->dir();
  struct stat st {};
  REQUIRE(::stat(dir.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0700);
  CHECK(fs::is_symlink(dir / "AGENTS.md"));
  CHECK(fs::is_symlink(dir / "sessions"));
  CHECK_FALSE(fs::exists(dir / "auth.json"));
  CHECK_FALSE(fs::exists(dir / "config.toml"));
  REQUIRE(ov->write_file("config.toml", "model_provider = \"gw\"\n"));
  CHECK(read(dir / "config.toml") == "model_provider = \"gw\"\n");
  CHECK(read(real / "config.toml") == "model = \"o3\"\n");  // the user's file is untouched

  // What the agent does while running: writes through a link, creates new entries.
  write(dir / "sessions" / "new.jsonl", "{\"n\":1}");
  write(dir / "history.jsonl", "h");
  write(dir / "auth.json", "{\"fresh\":true}");  // never copied back: credentials stay out

  auto left = ov->finish();
  CHECK(left.empty());
  CHECK_FALSE(fs::exists(dir));
  CHECK(read(real / "sessions" / "new.jsonl") == "{\"n\":1}");
  CHECK(read(real / "history.jsonl") == "h");
  CHECK(read(real / "auth.json") == "{\"OPENAI_API_KEY\":\"sk-real\"}");
  CHECK(read(real / "config.toml") == "model = \"o3\"\n");
}

TEST_CASE("HomeOverlay: a missing real directory is created only when the agent left files") {
  gw::test::TempDir tmp;
  fs::path real = tmp.path() / "home" / ".gemini";
  {
    auto ov = HomeOverlay::create(tmp.path() / "launch", "gemini", ".gemini", real, {"settings.json"});
    REQUIRE(ov);
    REQUIRE(ov->write_file("settings.json", "{}"));
    CHECK(ov->dir() == ov->root() / ".gemini");
    ov->finish();
    CHECK_FALSE(fs::exists(real));
  }
  auto ov = HomeOverlay::create(tmp.path() / "launch", "gemini", ".gemini", real, {"settings.json"});
  REQUIRE(ov);
  REQUIRE(ov->write_file("settings.json", "{}"));
  write(ov->dir() / "installation_id", "abc");
  ov->finish();
  CHECK(read(real / "installation_id") == "abc");
  CHECK_FALSE(fs::exists(real / "settings.json"));
}

TEST_CASE("HomeOverlay: overlays of dead launchers are swept, live ones kept") {
  gw::test::TempDir tmp;
  fs::path parent = tmp.path() / "launch";
  fs::create_directories(parent / "codex-999999999-abcdef");
  fs::create_directories(parent / ("codex-" + std::to_string(::getpid()) + "-abcdef"));
  fs::create_directories(parent / "unrelated");
  sweep_stale_overlays(parent);
  CHECK_FALSE(fs::exists(parent / "codex-999999999-abcdef"));
  CHECK(fs::exists(parent / ("codex-" + std::to_string(::getpid()) + "-abcdef")));
  CHECK(fs::exists(parent / "unrelated"));
}

TEST_CASE("Codex plan: CODEX_HOME overlay without auth.json, token in env, provider flags first") {
  gw::test::TempDir tmp;
  write(tmp.path() / "home" / ".codex" / "config.toml", "model = \"o3\"\n");
  write(tmp.path() / "home" / ".codex" / "auth.json", "{}");
  LaunchContext ctx;
  ctx.parent_env = {{"HOME", (tmp.path() / "home").string()}, {"OPENAI_API_KEY", "sk-real"}};
  ctx.user_args = {"exec", "say pong"};
  ctx.port = 9000;
  ctx.token = "gws_tok";
  ctx.overlay_parent = tmp.path() / "run" / "launch";
  auto plan = plan_codex(ctx);
  REQUIRE(plan);
  fs::path home = env_get(plan->env, "CODEX_HOME");
  CHECK(home.parent_path() == ctx.overlay_parent);
  CHECK(env_get(plan->env, "GW_SESSION_TOKEN") == "gws_tok");
  CHECK_FALSE(plan->env.contains("OPENAI_API_KEY"));
  CHECK_FALSE(fs::exists(home / "auth.json"));
  CHECK(read(home / "config.toml").find("http://127.0.0.1:9000/openai/v1") != std::string::npos);
  CHECK(plan->args.front() == "-c");
  CHECK(plan->args[plan->args.size() - 2] == "exec");
  CHECK(plan->args.back() == "say pong");
  for (const auto& a : plan->args) CHECK(a.find("gws_tok") == std::string::npos);
  plan->finish();
  CHECK_FALSE(fs::exists(home));

  ctx.user_args = {"--oss", "exec", "hi"};
  auto refused = plan_codex(ctx);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().message.find("--oss") != std::string::npos);
}

TEST_CASE("Gemini plan: GEMINI_CLI_HOME overlay with merged settings; user files untouched") {
  gw::test::TempDir tmp;
  fs::path home = tmp.path() / "home";
  write(home / ".gemini" / "settings.json", "{\"ui\":{\"theme\":\"GitHub\"}}");
  write(home / ".gemini" / "trustedFolders.json", "{}");
  LaunchContext ctx;
  ctx.parent_env = {{"HOME", home.string()}, {"GEMINI_API_KEY", "AIza-real"},
                    {"HTTPS_PROXY", "http://corp:1"}};
  ctx.user_args = {"-p", "say pong"};
  ctx.port = 9001;
  ctx.token = "gws_tok";
  ctx.overlay_parent = tmp.path() / "run" / "launch";
  ctx.cwd = tmp.path();
  auto plan = plan_gemini(ctx);
  REQUIRE(plan);
  fs::path ghome = env_get(plan->env, "GEMINI_CLI_HOME");
  CHECK(env_get(plan->env, "GEMINI_API_KEY") == "gws_tok");
  CHECK(env_get(plan->env, "GOOGLE_GEMINI_BASE_URL") == "http://127.0.0.1:9001/gemini");
  CHECK_FALSE(plan->env.contains("HTTPS_PROXY"));
  std::string settings = read(ghome / ".gemini" / "settings.json");
  CHECK(settings.find("gemini-api-key") != std::string::npos);
  CHECK(settings.find("GitHub") != std::string::npos);
  CHECK(fs::is_symlink(ghome / ".gemini" / "trustedFolders.json"));
  CHECK(plan->args == ctx.user_args);
  plan->finish();
  CHECK(read(home / ".gemini" / "settings.json") == "{\"ui\":{\"theme\":\"GitHub\"}}");
  CHECK_FALSE(fs::exists(ghome));
}
