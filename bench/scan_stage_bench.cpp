// What the scan stage adds to one request in the sidecar: ScanStage::on_request on
// Claude-Code-shaped /v1/messages bodies (3 system blocks, 24 tool schemas of ~2.7 KB, a
// mid-conversation system message, then tool round-trips whose results are source code and
// shell output), with the policy's built-in secret and PII rules.
//  - FirstTurn: a new session (cold cache): the whole ~80 KB first request is scanned (NoPii:
//    builtin_pii = false, secrets only).
//  - TurnN: turn N of a session whose cache holds turns 1..N-1 (what an agent does: it resends
//    the whole conversation every turn); the cost should stay flat as N grows.
//  - TurnN_Redact: the same with a secret in the newest tool result and action redact (the body
//    is rewritten).
//  - Disabled: the stage on a policy without [guardrails].
//   build/bench/scan_stage_bench --benchmark_counters_tabular=true
#include <benchmark/benchmark.h>

#include <nlohmann/json.hpp>
#include <random>

#include "core/config/policy.hpp"
#include "core/pipeline/exchange.hpp"
#include "core/providers/registry.hpp"
#include "core/stages/scan_stage.hpp"

using nlohmann::json;
using namespace gw;

namespace {

std::string source_code(std::mt19937& rng, size_t bytes) {
  static const char* lines[] = {
      "#include <string>\n", "int main(int argc, char** argv) {\n", "  std::string token = get_token(argv[1]);\n",
      "  if (!config.api_key.empty()) client.set_key(config.api_key);\n", "  for (size_t i = 0; i < n; ++i) sum += v[i];\n",
      "  return 0;\n}\n", "def handler(event, context):\n    return {'statusCode': 200, 'body': json.dumps(event)}\n",
      "const password = process.env.DB_PASSWORD;\n", "$ ls -la\ntotal 48\ndrwxr-xr-x  5 dev dev 4096 Nov 24 19:55 .\n",
      "-rw-r--r--  1 dev dev 10586 Nov 24 19:55 builtin_ai.cpp\n", "ok  \tgithub.com/acme/api/internal/auth\t0.412s\n",
      "    at Object.<anonymous> (/home/dev/app/src/index.js:12:15)\n", "SELECT id, name FROM users WHERE id = $1;\n",
      "  \"version\": \"1.4.2\",\n  \"main\": \"dist/index.js\",\n", "error[E0308]: mismatched types\n --> src/main.rs:4:18\n"};
  std::string out;
  while (out.size() < bytes) out += lines[rng() % std::size(lines)];
  return out;
}

json tool(int i, std::mt19937& rng) {
  std::string desc = "Tool " + std::to_string(i) + ": runs the operation and returns its output as text.\n\nUsage notes:\n";
  while (desc.size() < 2400) desc += "- " + source_code(rng, 60).substr(0, 60) + "\n";
  return {{"name", "Tool" + std::to_string(i)},
          {"description", desc},
          {"input_schema",
           {{"$schema", "https://json-schema.org/draft/2020-12/schema"},
            {"type", "object"},
            {"properties", {{"command", {{"type", "string"}, {"description", "The command to run"}}},
                            {"timeout", {{"type", "number"}, {"description", "Optional timeout in milliseconds"}}}}},
            {"required", json::array({"command"})},
            {"additionalProperties", false}}}};
}

// The first request of a session, then `turns` tool round-trips of ~`result_bytes` each.
json claude_body(int turns, size_t result_bytes, unsigned seed) {
  std::mt19937 rng(seed);
  json body = {{"model", "claude-opus-4-8"}, {"max_tokens", 64000}, {"stream", true},
               {"thinking", {{"type", "adaptive"}}}};
  body["metadata"] = {{"user_id", json{{"device_id", std::string(64, 'a')}, {"session_id", "s"}}.dump()}};
  body["system"] = json::array({{{"type", "text"}, {"text", "x-anthropic-billing-header: cc_version=2.1.197.495;"}},
                                {{"type", "text"}, {"text", "You are Claude Code, an interactive CLI tool."}},
                                {{"type", "text"}, {"text", source_code(rng, 5800)}, {"cache_control", {{"type", "ephemeral"}}}}});
  body["tools"] = json::array();
  for (int i = 0; i < 24; ++i) body["tools"].push_back(tool(i, rng));
  body["messages"] = json::array({{{"role", "user"}, {"content", "<system-reminder>" + source_code(rng, 1500) +
                                                                     "</system-reminder>\nFix the failing test in src/auth."}},
                                  {{"role", "system"}, {"content", source_code(rng, 6000)}}});
  for (int t = 0; t < turns; ++t) {
    std::string id = "toolu_" + std::to_string(t);
    body["messages"].push_back({{"role", "assistant"},
                                {"content", json::array({{{"type", "text"}, {"text", "Let me look at the next file."}},
                                                         {{"type", "tool_use"}, {"id", id}, {"name", "Bash"},
                                                          {"input", {{"command", "cat src/file" + std::to_string(t) + ".cc"}}}}})}});
    body["messages"].push_back({{"role", "user"},
                                {"content", json::array({{{"type", "tool_result"}, {"tool_use_id", id},
                                                         {"content", source_code(rng, result_bytes)}}})}});
  }
  return body;
}

struct World {
  providers::Registry registry;
  std::shared_ptr<const config::Policy> policy;
  stages::GuardrailState state;
  stages::ScanStage stage{&state};
  explicit World(const std::string& guardrails) {
    auto p = config::parse_policy(
        "[keys.alice]\nproviders = [\"anthropic\"]\nmodels = [\"*\"]\n" + guardrails, "bench.toml");
    if (!p) throw std::runtime_error(p.error().message);
    policy = *p;
  }
  // One request through the stage; the body is moved in and back out (no copy in the timing).
  void run(std::string& body, const std::string& session) {
    pipeline::Exchange ex;
    ex.provider = registry.by_kind(providers::ApiKind::anthropic);
    ex.route = providers::Route{providers::Endpoint::messages, true, true, "", false};
    ex.policy = policy;
    ex.identity.key_id = "alice";
    ex.agent_session = session;
    ex.request.body = std::move(body);
    benchmark::DoNotOptimize(stage.on_request(ex));
    body = std::move(ex.request.body);
  }
};

void first_turn(benchmark::State& state, const std::string& guardrails) {
  World w(guardrails);
  std::string body = claude_body(0, 0, 1).dump();
  size_t session = 0;
  for (auto _ : state) w.run(body, "first-" + std::to_string(session++));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * body.size()));
  state.counters["body_KB"] = static_cast<double>(body.size()) / 1024.0;
}

void BM_ScanStage_FirstTurn(benchmark::State& state) { first_turn(state, "[guardrails]\n"); }
void BM_ScanStage_FirstTurn_NoPii(benchmark::State& state) { first_turn(state, "[guardrails]\nbuiltin_pii = false\n"); }

// Turn N with the cache warm from turn N-1 (of the same session), as in a live conversation.
void turn_n(benchmark::State& state, const std::string& guardrails, const std::string& planted) {
  int n = static_cast<int>(state.range(0));
  World w(guardrails);
  json prev_j = claude_body(n - 1, 4000, 7), next_j = claude_body(n, 4000, 7);
  if (!planted.empty()) {
    std::string& last = next_j["messages"].back()["content"][0]["content"].get_ref<std::string&>();
    last += planted;
  }
  std::string prev = prev_j.dump(), next = next_j.dump();
  size_t session = 0;
  int64_t scanned = 0;
  for (auto _ : state) {
    state.PauseTiming();
    std::string key = "turn-" + std::to_string(session++);
    w.run(prev, key);
    std::string body = next;
    int64_t before = w.state.counters().bytes_scanned.load();
    state.ResumeTiming();
    w.run(body, key);
    state.PauseTiming();
    scanned += w.state.counters().bytes_scanned.load() - before;
    state.ResumeTiming();
  }
  state.counters["body_KB"] = static_cast<double>(next.size()) / 1024.0;
  state.counters["scanned_KB"] =
      benchmark::Counter(static_cast<double>(scanned) / 1024.0, benchmark::Counter::kAvgIterations);
}

void BM_ScanStage_TurnN(benchmark::State& state) { turn_n(state, "[guardrails]\n", ""); }
void BM_ScanStage_TurnN_Redact(benchmark::State& state) {
  turn_n(state, "[guardrails.actions]\ncategories = { secret = \"redact\" }\n",
         "\naws_access_key_id = AKIAZ7VRSQ5BXMNKW4HP\n");
}

void BM_ScanStage_Disabled(benchmark::State& state) {
  World w("");
  std::string body = claude_body(10, 4000, 3).dump();
  for (auto _ : state) w.run(body, "s");
}

}  // namespace

BENCHMARK(BM_ScanStage_FirstTurn)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_ScanStage_FirstTurn_NoPii)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_ScanStage_TurnN)->Arg(2)->Arg(10)->Arg(50)->Arg(200)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_ScanStage_TurnN_Redact)->Arg(10)->Arg(50)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_ScanStage_Disabled)->Unit(benchmark::kMicrosecond);
BENCHMARK_MAIN();
