// Scanning throughput on Claude-Code-shaped request bodies (system prompt, ~20 tool schemas,
// tool results full of source code and shell output), with the built-in rules and with the
// gitleaks default configuration, and the cost of turn N with the incremental cache.
//   build/bench/scan_bench --benchmark_counters_tabular=true
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <random>

#include "core/scan/body_scan.hpp"
#include "core/scan/rule_loader.hpp"

using nlohmann::json;
using namespace gw::scan;

namespace {

std::string source_code(std::mt19937& rng, size_t bytes) {
  static const char* lines[] = {
      "#include <string>\n", "int main(int argc, char** argv) {\n", "  std::string token = get_token(argv[1]);\n",
      "  if (!config.api_key.empty()) client.set_key(config.api_key);\n", "  for (size_t i = 0; i < n; ++i) sum += v[i];\n",
      "  return 0;\n}\n", "def handler(event, context):\n    return {'statusCode': 200, 'body': json.dumps(event)}\n",
      "const password = process.env.DB_PASSWORD;\n", "$ ls -la\ntotal 48\ndrwxr-xr-x  5 dev dev 4096 Nov 24 19:55 .\n",
      "-rw-r--r--  1 dev dev 10586 Nov 24 19:55 builtin_ai.cpp\n", "ok  \tgithub.com/acme/api/internal/auth\t0.412s\n",
      "    at Object.<anonymous> (/home/dev/app/src/index.js:12:15)\n", "SELECT id, email FROM users WHERE id = $1;\n",
      "  \"version\": \"1.4.2\",\n  \"main\": \"dist/index.js\",\n", "error[E0308]: mismatched types\n --> src/main.rs:4:18\n"};
  std::string out;
  while (out.size() < bytes) out += lines[rng() % std::size(lines)];
  return out;
}

json tool_schema(int i) {
  return {{"name", "Tool" + std::to_string(i)},
          {"description", std::string("Runs operation number ") + std::to_string(i) +
                              ". Use it when the user asks for it; it returns the output as text. " + std::string(600, 'd')},
          {"input_schema",
           {{"type", "object"},
            {"properties", {{"command", {{"type", "string"}, {"description", "The command to run"}}},
                            {"timeout", {{"type", "number"}}}}},
            {"required", json::array({"command"})}}}};
}

// A body of about target_bytes with `turns` tool round-trips.
json claude_body(size_t target_bytes, int turns, unsigned seed) {
  std::mt19937 rng(seed);
  json body = {{"model", "claude-sonnet-4-5"}, {"max_tokens", 32000}, {"stream", true}};
  body["system"] = json::array({{{"type", "text"}, {"text", "You are Claude Code. " + source_code(rng, 12000)}}});
  body["tools"] = json::array();
  for (int i = 0; i < 20; ++i) body["tools"].push_back(tool_schema(i));
  body["messages"] = json::array({{{"role", "user"}, {"content", "Fix the failing test in src/auth."}}});
  size_t per_turn = target_bytes > 40000 ? (target_bytes - 40000) / static_cast<size_t>(turns) : 1000;
  for (int t = 0; t < turns; ++t) {
    std::string id = "toolu_" + std::to_string(seed) + "_" + std::to_string(t);
    body["messages"].push_back({{"role", "assistant"},
                                {"content", json::array({{{"type", "text"}, {"text", "Let me look."}},
                                                         {{"type", "tool_use"}, {"id", id}, {"name", "Bash"},
                                                          {"input", {{"command", "cat src/file" + std::to_string(t) + ".cc"}}}}})}});
    body["messages"].push_back({{"role", "user"},
                                {"content", json::array({{{"type", "tool_result"}, {"tool_use_id", id},
                                                         {"content", source_code(rng, per_turn)}}})}});
  }
  return body;
}

// Built-in secret rules; with_pii adds the PII detectors (a policy choice in the sidecar).
// windows = false: every running rule scans whole strings (the engine before regex windows).
std::shared_ptr<const Scanner> builtin_scanner(bool with_pii = false, bool windows = true) {
  static auto make = [](bool pii, bool windows) {
    auto r = builtin_rules();
    ScannerOptions o;
    o.include_pii = pii;
    o.windows = windows;
    return *Scanner::create({*r}, o);
  };
  static auto secrets = make(false, true), all = make(true, true), whole = make(false, false);
  return with_pii ? all : windows ? secrets : whole;
}

std::shared_ptr<const Scanner> gitleaks_scanner(bool windows = true) {
  static auto make = [](bool w) -> std::shared_ptr<const Scanner> {
    // GW_GITLEAKS_TOML, else ../shared/compat/gitleaks.toml next to the source tree.
    const char* env = std::getenv("GW_GITLEAKS_TOML");
    std::filesystem::path p = env ? std::filesystem::path(env)
                                  : std::filesystem::path(GW_SOURCE_DIR) / ".." / "shared" / "compat" / "gitleaks.toml";
    auto r = load_rules_file(p);
    if (!r) return nullptr;
    ScannerOptions o;
    o.windows = w;
    return *Scanner::create({*r}, o);
  };
  static auto with = make(true), without = make(false);
  return windows ? with : without;
}

void scan_bodies(benchmark::State& state, const Scanner* s) {
  if (!s) {
    state.SkipWithError("gitleaks.toml not found");
    return;
  }
  std::vector<std::string> bodies;
  for (unsigned i = 0; i < 8; ++i) bodies.push_back(claude_body(static_cast<size_t>(state.range(0)) * 1024, 12, i).dump());
  size_t bytes = 0, i = 0;
  for (auto _ : state) {
    const auto& b = bodies[i++ % bodies.size()];
    auto r = scan_body(*s, b, BodyKind::anthropic);
    benchmark::DoNotOptimize(r);
    bytes += b.size();
  }
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
}

void BM_ScanBody_Builtin(benchmark::State& state) { scan_bodies(state, builtin_scanner().get()); }
void BM_ScanBody_BuiltinWithPii(benchmark::State& state) { scan_bodies(state, builtin_scanner(true).get()); }
void BM_ScanBody_Gitleaks(benchmark::State& state) { scan_bodies(state, gitleaks_scanner().get()); }
void BM_ScanBody_Builtin_NoWindows(benchmark::State& state) { scan_bodies(state, builtin_scanner(false, false).get()); }
void BM_ScanBody_Gitleaks_NoWindows(benchmark::State& state) { scan_bodies(state, gitleaks_scanner(false).get()); }

void BM_ScanText_Builtin(benchmark::State& state) {
  std::mt19937 rng(7);
  std::string text = source_code(rng, static_cast<size_t>(state.range(0)) * 1024);
  for (auto _ : state) benchmark::DoNotOptimize(builtin_scanner()->scan(text));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(text.size()));
}

// Turn N of a conversation with the session cache warm from turn N-1: only the new turn (a tool
// round-trip of ~6 KB) is new. new_KB (decoded text actually scanned) stays flat as N grows; the
// rest of the time is the linear skim of the cached part (JSON validation, block hashing).
void BM_TurnN_Cached(benchmark::State& state) {
  int n = static_cast<int>(state.range(0));
  json prev = claude_body(static_cast<size_t>(n) * 6000 + 40000, n, 99);
  json next = prev;
  std::mt19937 rng(5);
  next["messages"].push_back({{"role", "assistant"},
                              {"content", json::array({{{"type", "tool_use"}, {"id", "toolu_new"}, {"name", "Bash"},
                                                        {"input", {{"command", "make test"}}}}})}});
  next["messages"].push_back({{"role", "user"},
                              {"content", json::array({{{"type", "tool_result"}, {"tool_use_id", "toolu_new"},
                                                       {"content", source_code(rng, 6000)}}})}});
  std::string prev_s = prev.dump(), next_s = next.dump();
  auto s = builtin_scanner();
  BodyScanStats stats;
  for (auto _ : state) {
    state.PauseTiming();
    ScanCache cache;
    (void)scan_body(*s, prev_s, BodyKind::anthropic, &cache);
    state.ResumeTiming();
    auto r = scan_body(*s, next_s, BodyKind::anthropic, &cache);
    stats = r->stats;
    benchmark::DoNotOptimize(r);
  }
  state.counters["body_KB"] = static_cast<double>(next_s.size()) / 1024.0;
  state.counters["new_KB"] = static_cast<double>(stats.bytes_scanned) / 1024.0;
  state.counters["blocks_cached"] = static_cast<double>(stats.blocks_cached);
}

// The same turn N without a cache: the whole conversation is scanned again.
void BM_TurnN_Uncached(benchmark::State& state) {
  int n = static_cast<int>(state.range(0));
  std::string body = claude_body(static_cast<size_t>(n) * 6000 + 46000, n + 1, 99).dump();
  auto s = builtin_scanner();
  for (auto _ : state) benchmark::DoNotOptimize(scan_body(*s, body, BodyKind::anthropic));
  state.counters["body_KB"] = static_cast<double>(body.size()) / 1024.0;
}

}  // namespace

BENCHMARK(BM_ScanBody_Builtin)->Arg(50)->Arg(100)->Arg(150)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_ScanBody_BuiltinWithPii)->Arg(100)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_ScanBody_Gitleaks)->Arg(50)->Arg(100)->Arg(150)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_ScanBody_Builtin_NoWindows)->Arg(100)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_ScanBody_Gitleaks_NoWindows)->Arg(100)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_ScanText_Builtin)->Arg(100)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_TurnN_Cached)->Arg(10)->Arg(50)->Arg(100)->Arg(200)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_TurnN_Uncached)->Arg(10)->Arg(50)->Arg(200)->Unit(benchmark::kMicrosecond);
BENCHMARK_MAIN();
