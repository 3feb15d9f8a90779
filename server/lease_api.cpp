#include "server/lease_api.hpp"

#include <httplib.h>

#include "core/common/log.hpp"
#include "core/config/prices.hpp"
#include "core/limits/period.hpp"
#include "core/storage/lease_rules.hpp"
#include "server/policy_distribution.hpp"

namespace gw::server {
using nlohmann::json;

namespace {

constexpr int64_t k_answer_keep_ms = 24 * 3600 * 1000LL;  // retries come within minutes

LeaseReply error_reply(int status, std::string_view code, const std::string& message) {
  return {status, json{{"error", {{"code", code}, {"message", message}}}}};
}

std::string owner_text(std::string_view scope) {
  if (scope == "org") return "the organisation";
  auto colon = scope.find(':');
  return std::string(scope.substr(0, colon)) + " " + std::string(scope.substr(colon + 1));
}

// Reads an optional non-negative integer field; false when present with another type.
bool read_amount(const json& j, const char* key, int64_t& out) {
  auto it = j.find(key);
  if (it == j.end()) return true;
  if (!it->is_number_integer() || it->get<int64_t>() < 0) return false;
  out = it->get<int64_t>();
  return true;
}

}  // namespace

const config::Budget* find_leased_budget(const config::Policy& policy, std::string_view scope, std::string_view name) {
  const std::vector<config::Budget>* budgets = nullptr;
  if (scope == "org") {
    budgets = &policy.org_budgets;
  } else if (scope.starts_with("key:")) {
    if (const auto* k = policy.find_key(scope.substr(4))) budgets = &k->budgets;
  } else if (scope.starts_with("team:")) {
    if (const auto* t = policy.find_team(scope.substr(5))) budgets = &t->budgets;
  }
  if (!budgets) return nullptr;
  for (const auto& b : *budgets)
    if (b.name == name) return &b;
  return nullptr;
}

LeaseApi::LeaseApi(const ServerConfig& config, storage::LeaseLedger& ledger, const Clock& clock, PolicySource policy)
    : m_config(config), m_ledger(ledger), m_clock(clock), m_policy(std::move(policy)) {}

LeaseReply LeaseApi::handle(const std::string& body, const std::string& token_id) {
  auto j = json::parse(body, nullptr, false);
  if (!j.is_object()) return error_reply(400, "invalid_request", "the body must be a JSON object (see docs/server.md)");
  storage::LeaseOp op;
  std::string kind = j.value("op", "");
  if (kind == "acquire") op.kind = storage::LeaseOp::Kind::acquire;
  else if (kind == "renew") op.kind = storage::LeaseOp::Kind::renew;
  else if (kind == "release") op.kind = storage::LeaseOp::Kind::release;
  else return error_reply(400, "invalid_request", "\"op\" must be \"acquire\", \"renew\" or \"release\"");
  auto str = [&](const char* k) { return j.contains(k) && j[k].is_string() ? j[k].get<std::string>() : std::string(); };
  op.request_id = str("request_id");
  op.device_id = str("device_id");
  op.lease_id = str("lease_id");
  std::string scope = str("scope"), name = str("budget");
  if (op.request_id.empty() || op.device_id.empty() || scope.empty() || name.empty())
    return error_reply(400, "invalid_request", "\"request_id\", \"device_id\", \"scope\" and \"budget\" are required strings");
  if (!read_amount(j, "spent_nano", op.spent_nano) || !read_amount(j, "want_nano", op.want_nano) ||
      !read_amount(j, "window_start_ms", op.lease_window_start_ms))
    return error_reply(400, "invalid_request", "\"spent_nano\", \"want_nano\" and \"window_start_ms\" must be integers >= 0");
  if (op.kind != storage::LeaseOp::Kind::acquire && op.lease_id.empty())
    return error_reply(400, "invalid_request", kind + " needs \"lease_id\" and \"window_start_ms\" from the acquire answer");

  auto policy = m_policy ? m_policy() : nullptr;
  if (!policy)
    return error_reply(404, "no_policy",
                       "this central gateway has no published policy, so it has no budgets to lease "
                       "(publish one with gw policy publish BUNDLE --server URL)");
  const config::Budget* budget = find_leased_budget(*policy, scope, name);
  if (!budget)
    return error_reply(404, "unknown_budget", "the policy in force (version \"" + policy->version + "\") has no budget '" +
                                                  name + "' for " + owner_text(scope) +
                                                  "; the sidecar's policy is older or newer than the central's");
  if (budget->window != config::Window::calendar)
    return error_reply(422, "not_leased",
                       "budget '" + name + "' of " + owner_text(scope) +
                           " has a rolling window; rolling budgets are enforced by each sidecar, not leased (ADR 0046)");

  const int64_t now = m_clock.now_ms();
  auto span = limits::calendar_span(budget->period, now);
  op.ref = {scope, name, span.start_ms};
  op.window_end_ms = span.end_ms;
  op.limit_nano = budget->amount_nano_usd;
  op.slice_nano = std::max<int64_t>(budget->amount_nano_usd / 100 * m_config.leases.slice_percent, 1);
  op.ttl_ms = m_config.leases.ttl_s * 1000;
  op.now_ms = now;
  auto answer = storage::apply_lease_op(m_ledger, op);
  if (!answer) {
    if (answer.error().code == Errc::invalid_argument) return error_reply(400, "invalid_request", answer.error().message);
    log::write(log::Level::error, "lease ledger failed", {{"device", op.device_id}, {"error", answer.error().message}});
    return error_reply(503, "store_unavailable", "the central lease ledger failed; retry with the same request_id");
  }
  if (int64_t last = m_last_forget_ms.load(); now - last > 3600 * 1000 && m_last_forget_ms.compare_exchange_strong(last, now))
    (void)m_ledger.forget_answers(now - k_answer_keep_ms);

  json lease = storage::to_json(*answer);
  lease["scope"] = scope;
  lease["budget"] = name;
  lease["slice_nano"] = op.slice_nano;
  lease["ttl_ms"] = op.ttl_ms;
  log::write(log::Level::debug, "lease",
             {{"op", kind}, {"device", op.device_id}, {"token", token_id}, {"scope", scope}, {"budget", name},
              {"grant_nano", answer->grant_nano}, {"remaining_nano", answer->remaining_nano}});
  if (!answer->exhausted) return {200, lease};
  int64_t others = answer->outstanding_nano - std::max<int64_t>(answer->granted_nano - answer->spent_nano, 0);
  std::string msg = "budget '" + name + "' of " + owner_text(scope) + " is exhausted at the central gateway: " +
                    config::format_usd(answer->settled_nano) + " of " + config::format_usd(answer->limit_nano) +
                    " spent";
  if (others > 0) msg += ", " + config::format_usd(others) + " leased to other devices";
  msg += "; this request needs " + config::format_usd(op.want_nano) + " more than this device holds; resets " +
         limits::format_utc_minute(span.end_ms);
  auto reply = error_reply(409, "budget_exhausted", msg);
  reply.body["lease"] = lease;
  return reply;
}

void LeaseApi::add_routes(httplib::Server& s, const DeviceAuth& auth) {
  s.Post("/v1/leases", [this, &auth](const httplib::Request& req, httplib::Response& res) {
    auto caller = auth.authenticate(req.get_header_value("Authorization"));
    LeaseReply reply = !caller ? error_reply(caller.error().status, caller.error().code, caller.error().message)
                               : handle(req.body, caller->kind == DeviceCaller::Kind::enrollment_token ? caller->id
                                                                                                       : caller->label());
    res.status = reply.status;
    res.set_content(reply.body.dump(), "application/json");
  });
}

}  // namespace gw::server
