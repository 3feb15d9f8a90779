// fake_provider: a loopback imitation of the Anthropic, OpenAI and Gemini APIs for tests and
// benchmarks. Prints "listening <port>" as its first stdout line once it accepts connections and
// runs until SIGTERM/SIGINT. See README.md for routes, the request log and fault injection.
#include <CLI/CLI.hpp>
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <thread>

#include "tests/support/fake_provider/fake.hpp"
#include "tests/support/fake_provider/recording_server.hpp"

namespace {

bool write_port_file(const std::string& path, int port) {
  std::string tmp = path + ".tmp";
  std::FILE* f = std::fopen(tmp.c_str(), "w");
  if (!f) return false;
  std::fprintf(f, "%d\n", port);
  bool ok = std::fclose(f) == 0;
  return ok && std::rename(tmp.c_str(), path.c_str()) == 0;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace gw::fake;
  // Signals are taken by one thread with sigwait; workers never see them.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  ::signal(SIGPIPE, SIG_IGN);

  Options opts;
  std::vector<std::string> keys;
  CLI::App app{"Fake Anthropic/OpenAI/Gemini provider for gw tests"};
  app.add_option("--host", opts.host, "address to bind")->capture_default_str();
  app.add_option("--port", opts.port, "port to bind (0 = any free port)")->capture_default_str();
  app.add_option("--log", opts.log_path, "append one JSON line per request to this file");
  app.add_option("--port-file", opts.port_file, "write the bound port to this file");
  app.add_option("--tls-cert", opts.tls_cert, "PEM certificate chain: serve HTTPS");
  app.add_option("--tls-key", opts.tls_key, "PEM private key for --tls-cert");
  app.add_option("--expect-key", keys, "API=VALUE (anthropic|openai|gemini): 401 on other credentials");
  app.add_option("--events", opts.events, "text deltas per streamed reply")->capture_default_str()
      ->check(CLI::Range(1, 1000000));
  app.add_option("--event-interval-us", opts.event_interval_us, "sleep before each delta after the first")
      ->capture_default_str()->check(CLI::NonNegativeNumber);
  app.add_option("--threads", opts.threads, "worker threads (one per open connection)")
      ->capture_default_str()->check(CLI::Range(1, 100000));
  app.add_flag("--compress", opts.compress, "gzip responses when the client accepts it");
  CLI11_PARSE(app, argc, argv);

  for (const std::string& spec : keys) {
    size_t eq = spec.find('=');
    auto api = eq == std::string::npos ? std::nullopt : api_from_name(spec.substr(0, eq));
    if (!api) {
      std::fprintf(stderr, "fake_provider: --expect-key wants anthropic=V, openai=V or gemini=V\n");
      return 2;
    }
    opts.expect_keys[*api] = spec.substr(eq + 1);
  }
  if (opts.tls_cert.empty() != opts.tls_key.empty()) {
    std::fprintf(stderr, "fake_provider: --tls-cert and --tls-key go together\n");
    return 2;
  }

  RequestLog log(opts.log_path);
  if (!log.ok()) {
    std::fprintf(stderr, "fake_provider: cannot open log file %s\n", opts.log_path.c_str());
    return 2;
  }
  Context ctx;
  ctx.opts = opts;
  ctx.log = &log;

  RecordingServer server;
  server.configure(opts.threads, opts.compress);
  if (!opts.tls_cert.empty()) {
    std::string error;
    if (!server.enable_tls(opts.tls_cert, opts.tls_key, error)) {
      std::fprintf(stderr, "fake_provider: %s\n", error.c_str());
      return 2;
    }
  }
  install_routes(server, ctx);
  int port = opts.port == 0 ? server.bind_to_any_port(opts.host)
                            : (server.bind_to_port(opts.host, opts.port) ? opts.port : -1);
  if (port <= 0) {
    std::fprintf(stderr, "fake_provider: cannot bind %s:%d\n", opts.host.c_str(), opts.port);
    return 1;
  }
  if (!opts.port_file.empty() && !write_port_file(opts.port_file, port)) {
    std::fprintf(stderr, "fake_provider: cannot write %s\n", opts.port_file.c_str());
    return 1;
  }

  std::thread([set] {
    int sig = 0;
    sigwait(&set, &sig);
    std::fflush(nullptr);
    std::_Exit(0);  // the log is flushed per line; nothing else needs an orderly stop
  }).detach();

  // The socket is already listening (bind_* calls listen), so clients may connect now.
  std::printf("listening %d\n", port);
  std::fflush(stdout);
  server.listen_after_bind();
  return 0;
}
