#include "core/common/log.hpp"
#include "core/policy/bundle.hpp"
#include "server/policy_distribution.hpp"
#include "server/proxy_server.hpp"

namespace gw::server {

namespace {

struct Chosen {
  std::shared_ptr<const config::Policy> policy;
  std::string source;
};

Result<Chosen> initial_policy(const ServerConfig& config, PolicyDistribution* distribution) {
  std::string bundle_problem;
  if (distribution) {
    auto current = distribution->current();
    if (current && *current)
      return Chosen{(*current)->policy, "bundle v" + std::to_string((*current)->payload.version) + " (" +
                                            (*current)->payload.org + ")"};
    if (!current) bundle_problem = current.error().message;
  }
  if (!config.proxy.policy_file.empty()) {
    if (!bundle_problem.empty())
      log::write(log::Level::warn, "the published policy bundle is not usable; the proxy uses [proxy] policy",
                 {{"reason", bundle_problem}, {"file", config.proxy.policy_file.string()}});
    auto p = config::load_policy_file(config.proxy.policy_file);
    if (!p) return fail(Errc::config, "[proxy] policy: " + p.error().message);
    return Chosen{*p, config.proxy.policy_file.string()};
  }
  if (!bundle_problem.empty())
    return fail(Errc::config, "the provider proxy has no usable policy: the published bundle is refused (" +
                                  bundle_problem + "); publish a newer one, or set [proxy] policy = FILE");
  return fail(Errc::config, "the provider proxy has no policy: publish a signed bundle ([policy] in server.toml, "
                            "`gw policy publish`), or set [proxy] policy = \"FILE\"");
}

}  // namespace

Result<std::unique_ptr<ProxyServer>> start_proxy(const ServerConfig& config, storage::AuditStore& store,
                                                 const Clock& clock, PolicyDistribution* distribution) {
  GW_TRY(chosen, initial_policy(config, distribution));
  auto proxy = std::make_unique<ProxyServer>(config, store, clock);
  GW_CHECK(proxy->open(chosen.policy, chosen.source));
  if (distribution) {
    ProxyServer* p = proxy.get();
    distribution->on_publish([p](const policy::VerifiedBundle& v) {
      std::string source = "bundle v" + std::to_string(v.payload.version) + " (" + v.payload.org + ")";
      if (auto st = p->install(v.policy, source); !st)
        log::write(log::Level::error, "the proxy could not swap in the published policy; the previous one stays",
                   {{"error", st.error().message}});
    });
  }
  GW_CHECK(proxy->start());
  return proxy;
}

}  // namespace gw::server
