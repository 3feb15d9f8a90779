// gw serve --config server.toml [--listen HOST:PORT] [--ready-fd N] [--check]: the central gateway.
#include <unistd.h>

#include <cstdio>

#include "cli/commands/cli_util.hpp"
#include "cli/commands/commands.hpp"
#include "core/common/log.hpp"
#include "core/config/policy.hpp"
#include "server/central_server.hpp"
#include "server/server_config.hpp"

namespace gw::cli {

namespace {

struct ServeArgs {
  std::string config;
  std::string listen;
  int ready_fd = -1;
  bool check = false;
  std::string log_level = "info";
};

int cmd_serve(const ServeArgs& a) {
  auto report = [&](const std::string& msg) {
    if (a.ready_fd >= 0) {
      std::string line = "error: " + msg + "\n";
      (void)::write(a.ready_fd, line.data(), line.size());
    }
    return print_error(msg);
  };
  auto cfg = server::load_server_config(a.config);
  if (!cfg) return report(cfg.error().message);
  if (!a.listen.empty()) {
    if (!server::split_listen(a.listen, cfg->host, cfg->port))
      return report("--listen must be HOST:PORT (e.g. 127.0.0.1:0), got \"" + a.listen + "\"");
    if (std::string why = server::listen_problem(*cfg); !why.empty()) return report("--listen: " + why);
  }
  if (a.check) {
    if (cfg->proxy.enabled && !cfg->proxy.policy_file.empty()) {
      if (auto p = config::load_policy_file(cfg->proxy.policy_file); !p) return report("[proxy] policy: " + p.error().message);
    }
    std::printf("%s: OK (listen %s:%d, %s, storage %s %s, %zu enrollment token(s))\n", cfg->source.c_str(),
                cfg->host.c_str(), cfg->port, cfg->tls() ? "TLS" : "plain HTTP", cfg->storage_driver.c_str(),
                cfg->storage_path.c_str(), cfg->enrollment_tokens.size());
    if (cfg->proxy.enabled)
      std::printf("provider proxy: listen %s:%d, %s, policy: %s\n", cfg->proxy.host.c_str(), cfg->proxy.port,
                  cfg->tls() ? "TLS" : "plain HTTP",
                  cfg->proxy.policy_file.empty() ? "the published bundle only"
                                                 : ("the published bundle, else " + cfg->proxy.policy_file.string()).c_str());
    return 0;
  }
  log::configure(a.log_level == "debug" ? log::Level::debug : a.log_level == "warn" ? log::Level::warn : log::Level::info);
  auto r = server::run_serve(*cfg, a.ready_fd);
  if (!r) return report(r.error().message);
  return 0;
}

}  // namespace

void add_serve_command(CLI::App& app, CommandContext& ctx) {
  auto args = std::make_shared<ServeArgs>();
  auto* serve = app.add_subcommand("serve", "Run the central gateway (audit ingest; see docs/server.md)");
  serve->add_option("--config", args->config, "The server configuration (server.toml)")->required();
  serve->add_option("--listen", args->listen, "Override the config's listen address (HOST:PORT, port 0: any free)");
  serve->add_option("--ready-fd", args->ready_fd, "Write 'ready <port>' to this fd once serving");
  serve->add_flag("--check", args->check, "Validate the configuration and exit");
  serve->add_option("--log-level", args->log_level, "debug|info|warn")->capture_default_str();
  serve->callback([&ctx, args] { ctx.exit_code = cmd_serve(*args); });
}

}  // namespace gw::cli
