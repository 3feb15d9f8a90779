// The real Claude Code, Codex CLI and Gemini CLI, launched by `gw`, complete a prompt through the
// sidecar against the fake provider; faults are survived the way each agent survives them on a
// direct connection (AGENTS-WIRE.md, "Errors, retries and what the user sees").
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include "tests/e2e/e2e_home.hpp"

using gw::e2e::E2eHome;
using nlohmann::json;

namespace {

const std::vector<std::string> k_claude = {"claude", "-p", "say pong"};
const std::vector<std::string> k_codex = {"codex", "exec", "--skip-git-repo-check", "--ephemeral",
                                          "-s", "read-only", "say pong"};
const std::vector<std::string> k_gemini = {"gemini", "-p", "say pong"};

// Every model request the fake saw carried the real key (so it came through the sidecar's
// credential swap: the fake refuses anything else), and no header anywhere carried a session
// token ("gws_...").
void check_only_real_key(E2eHome& w, const std::string& api, const std::string& real_key) {
  auto reqs = w.model_requests(api);
  CHECK_MESSAGE(!reqs.empty(), "no " << api << " request reached the fake provider");
  for (const auto& r : reqs) {
    CHECK_MESSAGE(E2eHome::credential_of(r) == real_key,
                  "a request reached the fake without the real " << api << " key: "
                                                                 << r.value("path", ""));
  }
  for (const auto& v : w.all_header_values()) {
    CHECK_MESSAGE(v.find("gws_") == std::string::npos, "the fake saw a session token");
  }
}

size_t count_status(const std::vector<json>& reqs, int status) {
  size_t n = 0;
  for (const auto& r : reqs) n += r.value("status", 0) == status;
  return n;
}

}  // namespace

TEST_CASE("e2e: gw claude -p completes through the sidecar with the real key only") {
  E2eHome w;
  auto r = w.gw(k_claude);
  REQUIRE_MESSAGE(r.exit_code == 0, r.describe());
  CHECK_MESSAGE(r.out.find("pong") != std::string::npos, r.describe());
  check_only_real_key(w, "anthropic", gw::e2e::k_anthropic_key);
  for (const auto& req : w.model_requests("anthropic")) CHECK(req.value("status", 0) == 200);
}

TEST_CASE("e2e: gw codex exec completes through the sidecar with the real key only") {
  E2eHome w;
  auto r = w.gw(k_codex);
  REQUIRE_MESSAGE(r.exit_code == 0, r.describe());
  CHECK_MESSAGE(r.out.find("pong") != std::string::npos, r.describe());
  check_only_real_key(w, "openai", gw::e2e::k_openai_key);
  for (const auto& req : w.model_requests("openai")) CHECK(req.value("status", 0) == 200);
}

TEST_CASE("e2e: gw gemini -p completes through the sidecar with the real key only") {
  E2eHome w;
  auto r = w.gw(k_gemini);
  REQUIRE_MESSAGE(r.exit_code == 0, r.describe());
  CHECK_MESSAGE(r.out.find("pong") != std::string::npos, r.describe());
  check_only_real_key(w, "gemini", gw::e2e::k_gemini_key);
  for (const auto& req : w.model_requests("gemini")) CHECK(req.value("status", 0) == 200);
}

TEST_CASE("e2e: a 429 with retry-after is retried by Claude Code and Codex, and by Gemini CLI") {
  E2eHome w;
  w.fake().control({{"mode", "status"}, {"status", 429}, {"retry_after", 1}, {"api", "anthropic"}});
  auto claude = w.gw(k_claude);
  CHECK_MESSAGE(claude.exit_code == 0, claude.describe());
  CHECK(claude.out.find("pong") != std::string::npos);
  auto a = w.model_requests("anthropic");
  CHECK(count_status(a, 429) == 1);
  CHECK(count_status(a, 200) >= 1);

  w.fake().control({{"mode", "status"}, {"status", 429}, {"retry_after", 1}, {"api", "openai"}});
  auto codex = w.gw(k_codex);
  CHECK_MESSAGE(codex.exit_code == 0, codex.describe());
  CHECK(codex.out.find("pong") != std::string::npos);
  auto o = w.model_requests("openai");
  CHECK(count_status(o, 429) == 1);
  CHECK(count_status(o, 200) >= 1);

  // Gemini ignores retry-after and backs off >= 5 s on its own; the main (streaming) call.
  w.fake().control({{"mode", "status"}, {"status", 429}, {"retry_after", 1}, {"api", "gemini"},
                    {"path_contains", "streamGenerateContent"}});
  auto gemini = w.gw(k_gemini);
  CHECK_MESSAGE(gemini.exit_code == 0, gemini.describe());
  CHECK(gemini.out.find("pong") != std::string::npos);
  auto g = w.model_requests("gemini");
  CHECK(count_status(g, 429) == 1);
  check_only_real_key(w, "gemini", gw::e2e::k_gemini_key);
}

TEST_CASE("e2e: a stream cut mid-way: Claude re-sends non-streaming, Codex reconnects, Gemini fails") {
  E2eHome w;
  w.fake().control({{"mode", "cut"}, {"after_events", 2}, {"api", "anthropic"}});
  auto claude = w.gw(k_claude);
  CHECK_MESSAGE(claude.exit_code == 0, claude.describe());
  CHECK(claude.out.find("pong") != std::string::npos);
  auto a = w.model_requests("anthropic");
  REQUIRE(a.size() >= 2);
  bool non_streaming_retry = false;
  for (size_t i = 1; i < a.size(); ++i) {
    const json& body = a[i]["body"];
    if (body.is_object() && !body.value("stream", false)) non_streaming_retry = true;
  }
  CHECK_MESSAGE(non_streaming_retry, "Claude Code did not fall back to a non-streaming request");

  w.fake().control({{"mode", "cut"}, {"after_events", 2}, {"api", "openai"}});
  auto codex = w.gw(k_codex);
  CHECK_MESSAGE(codex.exit_code == 0, codex.describe());
  CHECK(codex.out.find("pong") != std::string::npos);
  CHECK(w.model_requests("openai").size() >= 2);  // the cut one, then the reconnect

  // Gemini CLI does not retry a cut stream: it fails ("terminated"), as it does direct. The
  // sidecar stays healthy: the next run succeeds.
  w.fake().control({{"mode", "cut"}, {"after_events", 1}, {"api", "gemini"}});
  auto cut = w.gw(k_gemini);
  CHECK_MESSAGE(cut.exit_code != 0, cut.describe());
  auto again = w.gw(k_gemini);
  CHECK_MESSAGE(again.exit_code == 0, again.describe());
  CHECK(again.out.find("pong") != std::string::npos);
  check_only_real_key(w, "anthropic", gw::e2e::k_anthropic_key);
  check_only_real_key(w, "openai", gw::e2e::k_openai_key);
}

TEST_CASE("e2e: user flags that would bypass the sidecar are refused before Codex starts") {
  E2eHome w;
  auto r = w.gw({"codex", "-c", "model_provider=\"openai\"", "exec", "--skip-git-repo-check", "hi"});
  CHECK_MESSAGE(r.exit_code == 2, r.describe());
  CHECK(r.err.find("refusing") != std::string::npos);
  CHECK(w.model_requests("openai").empty());
}

TEST_CASE("e2e: the agent's exit code passes through") {
  E2eHome w;
  auto r = w.gw({"codex", "exec", "--no-such-flag"});
  CHECK_MESSAGE(r.exit_code == 2, r.describe());  // clap's usage error code, as a direct run
  CHECK(r.err.find("--no-such-flag") != std::string::npos);
}

TEST_CASE("e2e: Claude settings that point elsewhere do not take Claude around the sidecar") {
  E2eHome w;
  // A user's settings env block wins over the process env in Claude Code; gw's --settings wins
  // over it. Without that, Claude would call the fake directly with this key and get a 401.
  std::filesystem::create_directories(w.home() / ".claude");
  std::ofstream(w.home() / ".claude" / "settings.json")
      << nlohmann::json{{"env",
                         {{"ANTHROPIC_BASE_URL", w.fake().base_url()},
                          {"ANTHROPIC_API_KEY", "sk-ant-api03-users-own-key"},
                          {"CLAUDE_CODE_MAX_RETRIES", "0"}}}}
             .dump();
  auto r = w.gw(k_claude);
  CHECK_MESSAGE(r.exit_code == 0, r.describe());
  CHECK(r.out.find("pong") != std::string::npos);
  check_only_real_key(w, "anthropic", gw::e2e::k_anthropic_key);
}
