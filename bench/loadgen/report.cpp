#include "bench/loadgen/report.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>
#include <tuple>
#include <vector>

namespace gw::bench {

namespace {

using nlohmann::json;

const std::vector<std::string> k_gateways = {"nginx", "gw", "ccr"};
const std::map<std::string, std::string> k_names = {
    {"direct", "direct"}, {"nginx", "nginx"}, {"gw", "gw"}, {"ccr", "claude-code-router"}};

double field(const json& run, const char* group, const char* pct) {
  if (!run.contains(group) || !run[group].contains(pct)) return NAN;
  return run[group][pct].get<double>();
}

std::string fmt(double v) {
  if (std::isnan(v)) return "–";
  char b[32];
  std::snprintf(b, sizeof b, std::fabs(v) >= 100 ? "%.0f" : "%.1f", v);
  return b;
}

std::string fmt_ratio(double a, double b) {
  if (std::isnan(a) || std::isnan(b) || b <= 0 || a < 0) return "–";
  char s[32];
  std::snprintf(s, sizeof s, "%.2f×", a / b);
  return s;
}

struct Runs {
  // (workload, rate) -> target -> run record
  std::map<std::pair<std::string, double>, std::map<std::string, json>> cells;
  std::map<std::pair<std::string, double>, std::map<std::string, std::string>> skipped;
  std::map<std::string, json> rss;
  std::map<std::string, json> launcher;  // "claude" / "gw-claude" -> {runs_us: "t1 t2 ..."}
  json meta = json::object();
};

Result<Runs> load(const std::string& path) {
  std::ifstream f(path);
  if (!f) return fail(Errc::not_found, "cannot read " + path);
  Runs r;
  std::string line;
  int n = 0;
  while (std::getline(f, line)) {
    ++n;
    if (line.empty()) continue;
    json j = json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.is_object()) return fail(Errc::invalid_argument, path + ":" + std::to_string(n) + ": not a JSON object");
    std::string kind = j.value("kind", "run");
    if (kind == "meta") {
      for (auto& [k, v] : j.items())
        if (k != "kind") r.meta[k] = v;
    } else if (kind == "launcher") {
      r.launcher[j.value("target", "?")] = j;
    } else if (kind == "rss") {
      r.rss[j.value("target", "?")] = j;
    } else if (kind == "skip") {
      r.skipped[{j.value("workload", "?"), j.value("rate", 0.0)}][j.value("target", "?")] = j.value("reason", "skipped");
    } else {
      r.cells[{j.value("workload", "?"), j.value("rate", 0.0)}][j.value("target", "?")] = j;
    }
  }
  return r;
}

// "p50 / p99" of a target's added latency over direct, with failure and overload markers.
struct Added {
  double p50 = NAN, p99 = NAN;
  std::string note;
};

Added added(const Runs& r, const std::pair<std::string, double>& key, const std::string& target, const char* group) {
  Added a;
  auto it = r.cells.find(key);
  if (it == r.cells.end()) return a;
  auto d = it->second.find("direct");
  auto t = it->second.find(target);
  if (t == it->second.end()) {
    auto s = r.skipped.find(key);
    if (s != r.skipped.end() && s->second.count(target)) a.note = s->second.at(target);
    return a;
  }
  if (d == it->second.end()) return a;
  a.p50 = field(t->second, group, "p50") - field(d->second, group, "p50");
  a.p99 = field(t->second, group, "p99") - field(d->second, group, "p99");
  uint64_t failed = t->second.value("failed", uint64_t{0});
  if (failed > 0) a.note = std::to_string(failed) + " failed";
  if (is_overloaded(t->second)) a.note += std::string(a.note.empty() ? "" : ", ") + "overloaded";
  return a;
}

std::string cell(const Added& a) {
  if (std::isnan(a.p50)) return a.note.empty() ? "–" : a.note;
  std::string s = fmt(a.p50) + " / " + fmt(a.p99);
  if (!a.note.empty()) s += " (" + a.note + ")";
  return s;
}

void latency_table(std::ostream& md, std::ostream& dat, const Runs& r, const std::string& workload, const char* group) {
  md << "| rate (req/s) | direct p50 / p99 | nginx added | gw added | gw ÷ nginx (p50 / p99) | claude-code-router added | claude-code-router ÷ gw (p50) |\n";
  md << "|---:|---|---|---|---|---|---|\n";
  dat << "# rate nginx_p50 gw_p50 ccr_p50 nginx_p99 gw_p99 ccr_p99 (added microseconds, ? = none)\n";
  for (const auto& [key, targets] : r.cells) {
    if (key.first != workload) continue;
    auto d = targets.find("direct");
    std::string floor = d == targets.end() ? "–" : fmt(field(d->second, group, "p50")) + " / " + fmt(field(d->second, group, "p99"));
    if (d != targets.end() && is_overloaded(d->second)) floor += " (fake provider overloaded)";
    Added n = added(r, key, "nginx", group), g = added(r, key, "gw", group), c = added(r, key, "ccr", group);
    md << "| " << fmt(key.second) << " | " << floor << " | " << cell(n) << " | " << cell(g) << " | "
       << fmt_ratio(g.p50, n.p50) << " / " << fmt_ratio(g.p99, n.p99) << " | " << cell(c) << " | " << fmt_ratio(c.p50, g.p50) << " |\n";
    auto v = [](double x) { return std::isnan(x) ? std::string("?") : fmt(std::max(x, 1.0)); };
    dat << key.second << " " << v(n.p50) << " " << v(g.p50) << " " << v(c.p50) << " " << v(n.p99) << " " << v(g.p99) << " " << v(c.p99) << "\n";
  }
  md << "\n";
}

void stream_gap_table(std::ostream& md, const Runs& r) {
  md << "| rate (req/s) | target | time to first byte p50 / p99 | first event p50 / p99 | gap between events p50 / p99 / max | whole stream p50 / p99 |\n";
  md << "|---:|---|---|---|---|---|\n";
  for (const auto& [key, targets] : r.cells) {
    if (key.first != "stream") continue;
    for (const char* t : {"direct", "nginx", "gw", "ccr"}) {
      auto it = targets.find(t);
      if (it == targets.end()) continue;
      const json& j = it->second;
      md << "| " << fmt(key.second) << " | " << k_names.at(t) << " | " << fmt(field(j, "ttfb_us", "p50")) << " / "
         << fmt(field(j, "ttfb_us", "p99")) << " | " << fmt(field(j, "first_event_us", "p50")) << " / "
         << fmt(field(j, "first_event_us", "p99")) << " | " << fmt(field(j, "event_gap_us", "p50")) << " / "
         << fmt(field(j, "event_gap_us", "p99")) << " / " << fmt(field(j, "event_gap_us", "max")) << " | "
         << fmt(field(j, "latency_us", "p50")) << " / " << fmt(field(j, "latency_us", "p99")) << " |\n";
    }
  }
  md << "\n";
}

void max_table(std::ostream& md, const Runs& r) {
  md << "| target | requests/s | latency p50 / p99 (µs) | failed |\n|---|---:|---|---:|\n";
  for (const auto& [key, targets] : r.cells) {
    if (key.first != "max") continue;
    for (const char* t : {"direct", "nginx", "gw", "ccr"}) {
      auto it = targets.find(t);
      if (it == targets.end()) continue;
      const json& j = it->second;
      md << "| " << k_names.at(t) << " | " << fmt(j.value("throughput_rps", 0.0)) << " | " << fmt(field(j, "latency_us", "p50"))
         << " / " << fmt(field(j, "latency_us", "p99")) << " | " << j.value("failed", 0) << " |\n";
    }
  }
  md << "\n";
}

std::string mb(const json& j, const char* k) {
  if (!j.contains(k) || !j[k].is_number()) return "–";
  char b[32];
  std::snprintf(b, sizeof b, "%.1f", j[k].get<double>() / 1024.0);
  return b;
}

// The cost of each stage: gw with the full default policy and with one stage switched off.
const std::vector<std::pair<std::string, std::string>> k_stage_variants = {
    {"gw", "full default policy"},
    {"gw-no-guardrails", "guardrails off"},
    {"gw-no-audit", "audit off (`[audit] enabled = false`)"},
    {"gw-no-limits", "no budgets or rate limits on the key"},
    {"gw-bare", "all three off (auth, model access, forward, usage only)"}};

void stage_table(std::ostream& md, std::ostream& dat, const Runs& r) {
  for (const char* w : {"stages-small", "stages-large"}) {
    for (const auto& [key, targets] : r.cells) {
      if (key.first != w) continue;
      Added full = added(r, key, "gw", "latency_us");
      md << "### " << (std::string(w) == "stages-small" ? "Small requests" : "~100 KB requests") << " at " << fmt(key.second)
         << " req/s\n\n| gw policy | added p50 / p99 | the stage's cost: full − this (p50 / p99) |\n|---|---|---|\n";
      for (const auto& [t, label] : k_stage_variants) {
        Added a = added(r, key, t, "latency_us");
        std::string cost = t == "gw" || std::isnan(a.p50) ? "–" : fmt(full.p50 - a.p50) + " / " + fmt(full.p99 - a.p99);
        md << "| " << label << " | " << cell(a) << " | " << cost << " |\n";
        auto v = [](double x) { return std::isnan(x) ? std::string("?") : fmt(std::max(x, 1.0)); };
        dat << "\"" << (std::string(w) == "stages-small" ? "small " : "large ") << (t == "gw" ? "full" : t.substr(3)) << "\" "
            << v(a.p50) << " " << v(a.p99) << "\n";
      }
      md << "\n";
    }
  }
}

// Wall time of `claude --version` and `gw claude --version`, median and max of the runs.
void launcher_table(std::ostream& md, const Runs& r) {
  if (r.launcher.empty()) return;
  auto stats = [](const json& j) {
    std::vector<double> v;
    std::istringstream in(j.value("runs_us", std::string()));
    for (double x; in >> x;) v.push_back(x / 1000.0);
    std::sort(v.begin(), v.end());
    if (v.empty()) return std::make_tuple(double(NAN), double(NAN), size_t{0});
    return std::make_tuple(v[v.size() / 2], v.back(), v.size());
  };
  md << "## Launcher: `gw claude --version` against `claude --version`\n\n"
        "| command | runs | median (ms) | max (ms) |\n|---|---:|---:|---:|\n";
  double med[2] = {NAN, NAN};
  int i = 0;
  for (const char* t : {"claude", "gw-claude"}) {
    auto it = r.launcher.find(t);
    if (it != r.launcher.end()) {
      auto [m, mx, n] = stats(it->second);
      med[i] = m;
      md << "| `" << (std::string(t) == "claude" ? "claude --version" : "gw claude --version") << "` | " << n << " | " << fmt(m)
         << " | " << fmt(mx) << " |\n";
    }
    ++i;
  }
  md << "\nThe launcher adds " << fmt(med[1] - med[0]) << " ms (median) to starting the agent.\n\n";
}

}  // namespace

bool apply_tag(json& j, const std::string& tag) {
  size_t eq = tag.find('=');
  if (eq == std::string::npos) return false;
  std::string k = tag.substr(0, eq), v = tag.substr(eq + 1);
  char* end = nullptr;
  double d = std::strtod(v.c_str(), &end);
  if (!v.empty() && end && *end == '\0' && std::isfinite(d)) j[k] = d;
  else j[k] = v;
  return true;
}

bool is_overloaded(const json& run) {
  double scheduled = run.value("scheduled", 0.0);
  double completed = run.value("completed", 0.0);
  double failed = run.value("failed", 0.0);
  if (scheduled > 0 && (completed < 0.9 * scheduled || failed > 0.01 * scheduled)) return true;
  return field(run, "latency_us", "p50") > 1e5;
}

Result<std::string> write_report(const ReportPaths& p) {
  GW_TRY(r, load(p.in));
  std::ostringstream md, sum;
  md << "# Benchmark results (generated by `bench/run`)\n\n";
  for (auto& [k, v] : r.meta.items()) md << "- " << k << ": " << (v.is_string() ? v.get<std::string>() : v.dump()) << "\n";
  md << "\nAll latencies in microseconds. *Added* = the target's percentile minus direct's percentile in the same "
        "run at the same rate (open loop: latency counted from each request's scheduled send time). "
        "\"overloaded\": under 90% completed, over 1% failed, or median over 100 ms; higher rates were then skipped "
        "for that target.\n\n";
  auto dat = [&](const std::string& name) { return std::ofstream(p.dat_dir + "/" + name); };
  md << "## Small requests (`say pong`, ~100 bytes, JSON reply)\n\n";
  {
    auto f = dat("added_small.dat");
    latency_table(md, f, r, "small", "latency_us");
  }
  md << "## Claude-Code-sized requests (~100 KB: system blocks, 24 tool schemas, a tool result of source code)\n\n";
  {
    auto f = dat("added_large.dat");
    latency_table(md, f, r, "large", "latency_us");
  }
  md << "## Streaming (SSE): added time to the first event\n\n";
  {
    auto f = dat("added_stream.dat");
    latency_table(md, f, r, "stream", "first_event_us");
  }
  stream_gap_table(md, r);
  if (std::any_of(r.cells.begin(), r.cells.end(), [](const auto& c) { return c.first.first.starts_with("stages-"); })) {
    md << "## The cost of each stage\n\nAdded latency over direct of gw with the full default policy and with one stage "
          "switched off through policy, measured interleaved at the same rate.\n\n";
    auto f = dat("stages.dat");
    stage_table(md, f, r);
  }
  launcher_table(md, r);
  md << "## Maximum throughput (closed loop, small requests)\n\n";
  max_table(md, r);
  md << "## Memory\n\n| target | peak RSS (MB, VmHWM) | RSS idle after start (MB) | RSS idle after the run (MB) |\n|---|---:|---:|---:|\n";
  auto rss_dat = dat("rss.dat");
  for (const char* t : {"nginx", "gw", "ccr"}) {
    auto it = r.rss.find(t);
    if (it == r.rss.end()) continue;
    md << "| " << k_names.at(t) << " | " << mb(it->second, "peak_kb") << " | " << mb(it->second, "idle_start_kb") << " | "
       << mb(it->second, "idle_end_kb") << " |\n";
    rss_dat << "\"" << k_names.at(t) << "\" " << mb(it->second, "peak_kb") << "\n";
  }
  md << "\n";
  {
    std::ofstream f(p.md);
    f << md.str();
    if (!f) return fail(Errc::io, "cannot write " + p.md);
  }

  // Short summary: gw against the floor and nginx, the peer, memory and failures.
  for (const char* w : {"small", "large", "stream"}) {
    const char* group = std::string(w) == "stream" ? "first_event_us" : "latency_us";
    for (const auto& [key, targets] : r.cells) {
      if (key.first != w || !targets.count("gw")) continue;
      Added g = added(r, key, "gw", group), n = added(r, key, "nginx", group), c = added(r, key, "ccr", group);
      sum << w << " @" << fmt(key.second) << "/s  gw +" << fmt(g.p50) << "/+" << fmt(g.p99) << " us (p50/p99)"
          << "  nginx +" << fmt(n.p50) << "/+" << fmt(n.p99) << "  gw/nginx " << fmt_ratio(g.p50, n.p50) << "/" << fmt_ratio(g.p99, n.p99);
      if (!std::isnan(c.p50)) sum << "  ccr +" << fmt(c.p50) << "/+" << fmt(c.p99);
      if (!g.note.empty()) sum << "  [gw: " << g.note << "]";
      sum << "\n";
    }
  }
  for (auto& [t, j] : r.rss) sum << "peak RSS " << t << ": " << mb(j, "peak_kb") << " MB" << (t == "gw" ? " (idle " + mb(j, "idle_start_kb") + " MB)" : "") << "\n";
  uint64_t total_failed = 0;
  for (auto& [key, targets] : r.cells)
    for (auto& [t, j] : targets) total_failed += j.value("failed", uint64_t{0});
  sum << "failed requests in all runs: " << total_failed << "\n";
  return sum.str();
}

}  // namespace gw::bench
