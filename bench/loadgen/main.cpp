// gw_loadgen: the benchmarks' HTTP load generator (see bench/loadgen/README.md).
//   gw_loadgen run --url URL [--body-file F] [-H 'Name: value']... (--rate R | --closed) ...
//   gw_loadgen body small|claude [--bytes N] [--stream]     (writes a request body to stdout)
//   gw_loadgen free-port                                     (prints a port that was free)
//   gw_loadgen note --out F --tag k=v...                     (appends a JSON line of tags)
//   gw_loadgen report --in F --md OUT.md --dat-dir DIR       (results table, chart data, summary)
#include <signal.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

#include "bench/loadgen/bodies.hpp"
#include "bench/loadgen/engine.hpp"
#include "bench/loadgen/net.hpp"
#include "bench/loadgen/report.hpp"

namespace {

struct RunArgs {
  std::string url;
  std::string body_file;
  std::string method = "POST";
  std::vector<std::string> headers;
  double rate = 0;
  bool closed = false;
  int connections = 64;
  int preconnect = 4;
  double warmup = 1, duration = 5, drain = 10;
  std::vector<std::string> tags;
  std::string out;
};

// Appends one JSON line to `path`, or prints it when `path` is empty.
int emit(const nlohmann::json& j, const std::string& path) {
  std::string text = j.dump() + "\n";
  if (path.empty()) {
    std::fputs(text.c_str(), stdout);
    return 0;
  }
  std::ofstream o(path, std::ios::app);
  o << text;
  if (!o) {
    std::cerr << "gw_loadgen: cannot write " << path << "\n";
    return 1;
  }
  return 0;
}

int cmd_run(const RunArgs& a) {
  if ((a.rate > 0) == a.closed) {
    std::cerr << "gw_loadgen: give exactly one of --rate R (open loop) or --closed\n";
    return 2;
  }
  auto target = gw::bench::resolve_target(a.url);
  if (!target) {
    std::cerr << "gw_loadgen: " << target.error().message << "\n";
    return 2;
  }
  gw::bench::LoadSpec spec;
  spec.target = *target;
  spec.method = a.method;
  if (!a.body_file.empty()) {
    std::ifstream f(a.body_file, std::ios::binary);
    if (!f) {
      std::cerr << "gw_loadgen: cannot read " << a.body_file << "\n";
      return 2;
    }
    std::stringstream ss;
    ss << f.rdbuf();
    spec.body = ss.str();
  }
  spec.headers = a.headers;
  spec.rate = a.closed ? 0 : a.rate;
  spec.connections = a.connections;
  spec.preconnect = a.preconnect;
  spec.warmup_s = a.warmup;
  spec.duration_s = a.duration;
  spec.drain_s = a.drain;
  auto res = gw::bench::run_load(spec);
  if (!res) {
    std::cerr << "gw_loadgen: " << res.error().message << "\n";
    return 1;
  }
  nlohmann::json j = *res;
  for (const auto& t : a.tags) gw::bench::apply_tag(j, t);
  j["url"] = a.url;
  const auto& lat = j["latency_us"];
  std::fprintf(stderr, "  %-40s %8.1f req/s  p50 %9.1f us  p99 %9.1f us  failed %llu\n", a.url.c_str(),
               j["throughput_rps"].get<double>(), lat.value("p50", 0.0), lat.value("p99", 0.0),
               static_cast<unsigned long long>(j["failed"].get<uint64_t>()));
  if (int rc = emit(j, a.out); rc != 0) return rc;
  return gw::bench::is_overloaded(j) ? 3 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  ::signal(SIGPIPE, SIG_IGN);
  CLI::App app{"gw_loadgen: open- and closed-loop HTTP/1.1 load generator for the gw benchmarks"};
  app.require_subcommand(1);
  int rc = 0;

  RunArgs ra;
  auto* run = app.add_subcommand("run", "Send load to a URL and print the results as one JSON line");
  run->add_option("--url", ra.url, "http://host:port/path")->required();
  run->add_option("--body-file", ra.body_file, "Request body (sent with Content-Length)");
  run->add_option("--method", ra.method, "HTTP method")->capture_default_str();
  run->add_option("-H,--header", ra.headers, "Extra header 'Name: value' (repeatable)");
  run->add_option("--rate", ra.rate, "Open loop: requests per second, latency from the scheduled send time");
  run->add_flag("--closed", ra.closed, "Closed loop: --connections requests in flight, back to back");
  run->add_option("--connections", ra.connections, "Open loop: connection pool limit; closed loop: concurrency")
      ->capture_default_str();
  run->add_option("--preconnect", ra.preconnect, "Open loop: connections opened before the clock starts")->capture_default_str();
  run->add_option("--warmup", ra.warmup, "Seconds of load before measuring")->capture_default_str();
  run->add_option("--duration", ra.duration, "Seconds measured")->capture_default_str();
  run->add_option("--drain", ra.drain, "Seconds to wait for responses after the last send")->capture_default_str();
  run->add_option("--tag", ra.tags, "k=v copied into the JSON result (repeatable)");
  run->add_option("--out", ra.out, "Append the JSON line to this file instead of stdout");
  run->callback([&] { rc = cmd_run(ra); });

  std::string kind;
  size_t bytes = 100'000;
  bool stream = false;
  auto* body = app.add_subcommand("body", "Write a generated request body to stdout");
  body->add_option("kind", kind, "small | claude")->required()->check(CLI::IsMember({"small", "claude"}));
  body->add_option("--bytes", bytes, "Approximate size of the claude body")->capture_default_str();
  body->add_flag("--stream", stream, "Ask for a streamed (SSE) reply");
  body->callback([&] {
    std::string b = kind == "small" ? gw::bench::small_messages_body(stream) : gw::bench::claude_code_body(bytes, stream);
    std::fwrite(b.data(), 1, b.size(), stdout);
  });

  app.add_subcommand("free-port", "Print a loopback TCP port that was free a moment ago")->callback([&] {
    auto p = gw::bench::pick_free_port();
    if (!p) {
      std::cerr << "gw_loadgen: " << p.error().message << "\n";
      rc = 1;
      return;
    }
    std::printf("%d\n", *p);
  });

  std::vector<std::string> note_tags;
  std::string note_out;
  auto* note = app.add_subcommand("note", "Append a JSON line made of k=v tags (run descriptions for the report)");
  note->add_option("--tag", note_tags, "k=v (repeatable; numbers stay numbers)")->required();
  note->add_option("--out", note_out, "File to append to (default stdout)");
  note->callback([&] {
    nlohmann::json j = nlohmann::json::object();
    for (const auto& t : note_tags)
      if (!gw::bench::apply_tag(j, t)) {
        std::cerr << "gw_loadgen: tag without '=': " << t << "\n";
        rc = 2;
        return;
      }
    rc = emit(j, note_out);
  });

  gw::bench::ReportPaths rp;
  auto* report = app.add_subcommand("report", "Write the results table and chart data from the JSON lines of a run");
  report->add_option("--in", rp.in, "JSON lines from run --tag and note")->required();
  report->add_option("--md", rp.md, "Markdown file to write")->required();
  report->add_option("--dat-dir", rp.dat_dir, "Directory for gnuplot data files")->required();
  report->callback([&] {
    auto s = gw::bench::write_report(rp);
    if (!s) {
      std::cerr << "gw_loadgen: " << s.error().message << "\n";
      rc = 1;
      return;
    }
    std::fputs(s->c_str(), stdout);
  });

  CLI11_PARSE(app, argc, argv);
  return rc;
}
