#include <doctest/doctest.h>

#include "core/config/policy.hpp"

namespace {
using gw::config::AuditPolicy;

std::string errors_of(std::string_view toml) {
  auto r = gw::config::parse_policy(toml, "p.toml");
  REQUIRE_FALSE(r.has_value());
  return r.error().message;
}
}  // namespace

TEST_CASE("policy [audit]: defaults when the section is absent") {
  auto p = gw::config::parse_policy("version = \"v1\"\n", "p.toml");
  REQUIRE(p);
  const AuditPolicy& a = (*p)->audit;
  CHECK(a.enabled);
  CHECK(a.fail_mode == AuditPolicy::FailMode::closed);
  CHECK(a.max_spool_mb == 512);
  CHECK(a.on_full == AuditPolicy::OnFull::refuse);
  CHECK(a.checkpoint_every_events == 1000);
  CHECK(a.checkpoint_every_seconds == 60);
  CHECK_FALSE(a.log_content);
  CHECK(gw::config::default_policy()->audit.enabled);
}

TEST_CASE("policy [audit]: every key is read") {
  auto p = gw::config::parse_policy(
      "[audit]\nenabled = false\nfail_mode = \"open\"\nmax_spool_mb = 64\non_full = \"prune_shipped\"\n"
      "checkpoint_every_events = 10\ncheckpoint_every_seconds = 5\nlog_content = true\n"
      "content_max_bytes = 1024\n",
      "p.toml");
  REQUIRE(p);
  const AuditPolicy& a = (*p)->audit;
  CHECK_FALSE(a.enabled);
  CHECK(a.fail_mode == AuditPolicy::FailMode::open);
  CHECK(a.max_spool_mb == 64);
  CHECK(a.on_full == AuditPolicy::OnFull::prune_shipped);
  CHECK(a.checkpoint_every_events == 10);
  CHECK(a.checkpoint_every_seconds == 5);
  CHECK(a.log_content);
  CHECK(a.content_max_bytes == 1024);
}

TEST_CASE("policy [audit]: the JSON form decodes the same section") {
  auto p = gw::config::parse_policy_json(R"({"audit":{"fail_mode":"open","max_spool_mb":2}})", "p.json");
  REQUIRE(p);
  CHECK((*p)->audit.fail_mode == AuditPolicy::FailMode::open);
  CHECK((*p)->audit.max_spool_mb == 2);
}

TEST_CASE("policy [audit]: bad values and unknown keys are precise errors") {
  CHECK(errors_of("[audit]\nfail_mode = \"maybe\"\n") ==
        "p.toml:2:13: audit.fail_mode: must be 'closed' (refuse requests that cannot be audited) or "
        "'open' (forward them and record the gap); got 'maybe'");
  CHECK(errors_of("[audit]\non_full = \"drop\"\n") ==
        "p.toml:2:11: audit.on_full: must be 'refuse' or 'prune_shipped'; got 'drop'");
  CHECK(errors_of("[audit]\nmax_spool_mb = 0\n").find("audit.max_spool_mb: must be >= 1") != std::string::npos);
  CHECK(errors_of("[audit]\nmax_spool_mb = 99999999\n") ==
        "p.toml:2:16: audit.max_spool_mb: must be at most 1048576 (1 TiB)");
  CHECK(errors_of("[audit]\ncheckpoint_every_events = 0\n").find("audit.checkpoint_every_events") !=
        std::string::npos);
  CHECK(errors_of("[audit]\nenabled = \"yes\"\n").find("audit.enabled") != std::string::npos);
  CHECK(errors_of("[audit]\nlog_contents = true\n").find("audit.log_contents: unknown key") != std::string::npos);
  CHECK(errors_of("audit = 3\n").find("audit: must be a table") != std::string::npos);
}
