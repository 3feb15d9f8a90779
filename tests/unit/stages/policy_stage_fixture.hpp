#pragma once
// Shared by the model-access and limits stage tests: a provider double that answers errors in a
// recognisable JSON shape, and an Exchange already authenticated as a key.
#include <nlohmann/json.hpp>

#include "core/config/policy.hpp"
#include "core/pipeline/exchange.hpp"

namespace gw::test {

class ShapeProvider final : public providers::Provider {
public:
  explicit ShapeProvider(providers::ApiKind kind) : m_kind(kind) {}
  providers::ApiKind kind() const override { return m_kind; }
  std::string_view id() const override { return providers::api_kind_name(m_kind); }
  std::optional<providers::Route> route(std::string_view, std::string_view) const override { return {}; }
  bool owns_path(std::string_view) const override { return true; }
  std::optional<std::string> presented_credential(const http::Request&) const override { return {}; }
  void strip_credentials(http::Request&) const override {}
  void set_credential(http::Request&, std::string_view) const override {}
  Result<providers::RequestInfo> inspect(const providers::Route&, const http::Request&) const override {
    return providers::RequestInfo{};
  }
  std::unique_ptr<providers::UsageTap> usage_tap(const providers::Route&, bool) const override {
    return nullptr;
  }
  // {"shape": "<id>", "message": ...}; retry-after header when given.
  http::Reply error_reply(const providers::ErrorSpec& spec) const override {
    http::Reply r;
    r.status = spec.status;
    r.body = nlohmann::json{{"shape", std::string(id())}, {"message", spec.message}}.dump();
    if (spec.retry_after_s) r.headers.set("retry-after", std::to_string(*spec.retry_after_s));
    return r;
  }

private:
  providers::ApiKind m_kind;
};

inline std::string reply_message(const pipeline::Exchange& ex) {
  return nlohmann::json::parse(ex.reply->body)["message"].get<std::string>();
}

// An exchange for a billable messages call by `key` for `model`.
inline pipeline::Exchange exchange_for(const providers::Provider& provider,
                                       std::shared_ptr<const config::Policy> policy,
                                       const std::string& key, const std::string& model) {
  pipeline::Exchange ex;
  ex.id = "req_test";
  ex.provider = &provider;
  ex.route = providers::Route{providers::Endpoint::messages, true, true, "", false};
  ex.info.model = model;
  ex.policy = std::move(policy);
  ex.identity.kind = pipeline::Identity::Kind::virtual_key;
  ex.identity.key_id = key;
  return ex;
}

inline std::shared_ptr<const config::Policy> stage_policy(const std::string& toml) {
  auto r = config::parse_policy(toml, "test.toml");
  REQUIRE_MESSAGE(r.has_value(), (r ? "" : r.error().message));
  return *r;
}

}  // namespace gw::test
