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

// The bundle's policy as a sidecar holds it: with its validity (expiry + grace, fail mode), which
// the policy validity stage enforces and which marks its calendar budgets as central (leases).
Chosen from_bundle(const policy::VerifiedBundle& v) {
  std::string origin = "bundle v" + std::to_string(v.payload.version) + " (" + v.payload.org + ")";
  auto p = std::make_shared<config::Policy>(*v.policy);
  p->validity = config::Policy::Validity{v.payload.expires_at + v.payload.grace_s,
                                         v.payload.fail_mode == policy::FailMode::open, origin};
  return Chosen{std::move(p), origin};
}

Result<Chosen> initial_policy(const ServerConfig& config, PolicyDistribution* distribution) {
  std::string bundle_problem;
  if (distribution) {
    auto current = distribution->current();
    if (current && *current) return from_bundle(**current);
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
                                                 const Clock& clock, PolicyDistribution* distribution,
                                                 storage::LeaseLedger* ledger) {
  GW_TRY(chosen, initial_policy(config, distribution));
  auto proxy = std::make_unique<ProxyServer>(config, store, clock);
  if (ledger && distribution) proxy->use_lease_ledger(ledger, [distribution] { return distribution->policy(); });
  GW_CHECK(proxy->open(chosen.policy, chosen.source));
  if (distribution) {
    ProxyServer* p = proxy.get();
    distribution->on_publish([p](const policy::VerifiedBundle& v) {
      Chosen c = from_bundle(v);
      if (auto st = p->install(c.policy, c.source); !st)
        log::write(log::Level::error, "the proxy could not swap in the published policy; the previous one stays",
                   {{"error", st.error().message}});
    });
    // A publish between choosing the first policy and setting the hook is not lost.
    if (auto again = distribution->current(); again && *again) {
      Chosen c = from_bundle(**again);
      if (c.source != chosen.source) GW_CHECK(proxy->install(c.policy, c.source));
    }
  }
  GW_CHECK(proxy->start());
  return proxy;
}

}  // namespace gw::server
