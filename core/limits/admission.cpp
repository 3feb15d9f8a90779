#include "core/limits/admission.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "core/common/log.hpp"
#include "core/limits/accounts.hpp"

namespace gw::limits {

using detail::Account;
using detail::RateState;

Reservation::Reservation(Reservation&& o) noexcept { *this = std::move(o); }

Reservation& Reservation::operator=(Reservation&& o) noexcept {
  if (this != &o) {
    release();
    m_owner = std::exchange(o.m_owner, nullptr);
    m_price = std::move(o.m_price);
    m_accounts = std::move(o.m_accounts);
    m_rates = std::move(o.m_rates);
    m_central = std::move(o.m_central);
    m_reserved_nano = o.m_reserved_nano;
    m_reserved_tokens = o.m_reserved_tokens;
  }
  return *this;
}

Reservation::~Reservation() { release(); }

int64_t Reservation::settle(const config::Usage& usage) {
  if (!m_owner) return 0;
  return m_owner->settle(*this, &usage);
}

void Reservation::release() {
  if (m_owner) m_owner->settle(*this, nullptr);
}

Admission::Admission(const Clock& clock, SpendStore& store) : m_clock(clock), m_store(store) {}
Admission::~Admission() = default;

std::vector<Admission::Level> Admission::levels_of(const config::Policy& policy,
                                                    const config::VirtualKey& key) const {
  std::vector<Level> out;
  out.push_back({"key", key.id, &key.budgets, &key.limits});
  if (const auto* team = key.team.empty() ? nullptr : policy.find_team(key.team))
    out.push_back({"team", team->id, &team->budgets, &team->limits});
  out.push_back({"org", "", &policy.org_budgets, &policy.org_limits});
  return out;
}

detail::LevelState* Admission::level_state(const Level& level) {
  std::string k;
  k.reserve(6 + level.id.size());
  k.append(level.scope).append(":").append(level.id);
  auto& slot = m_levels[k];
  if (!slot) slot = std::make_unique<detail::LevelState>();
  return slot.get();
}

Account* Admission::account(detail::LevelState& state, const Level& level, const config::Budget& b) {
  for (auto& a : state.accounts)
    if (a->name == b.name && a->period == b.period && a->window == b.window) return a.get();
  auto a = std::make_unique<Account>();
  a->name = b.name;
  a->store_key = std::string(level.scope) + ":" + level.id + "|" + b.name + "|" +
                 std::string(config::to_string(b.period)) + "|" +
                 std::string(config::to_string(b.window));
  a->period = b.period;
  a->window = b.window;
  state.accounts.push_back(std::move(a));
  return state.accounts.back().get();
}

std::expected<Reservation, Denial> Admission::admit(const AdmissionRequest& req) {
  Reservation r;
  if (!req.billable || !req.policy || !req.key) return r;
  const auto levels = levels_of(*req.policy, *req.key);
  const config::ModelPrice* price = req.policy->prices.find(req.model);
  config::Usage worst;
  worst.input_tokens = req.input_tokens;
  worst.output_tokens = req.max_output_tokens;
  const int64_t cost = price ? config::cost_nano_usd(*price, worst) : 0;
  const int64_t tokens = req.input_tokens + req.max_output_tokens;
  const int64_t now = m_clock.now_ms();
  const int64_t now_ns = now * 1'000'000;

  // Central budgets first, without the lock: topping up a lease may wait on the central gateway.
  // The guard gives the holds back if a later check refuses the request.
  struct CentralGuard {
    CentralBudgets* hook;
    int64_t cost;
    std::vector<CentralBudgetRef> refs;
    ~CentralGuard() {
      for (const auto& r : refs) hook->settle(r, cost, 0);
    }
  } central{m_central.load(), cost, {}};
  CentralBudgets* hook = central.hook;
  auto is_central = [&](const config::Budget& b) { return hook && price && hook->is_central(*req.policy, b); };
  for (const auto& level : levels) {
    for (const auto& b : *level.budgets) {
      if (!is_central(b)) continue;
      CentralBudgetRef ref{level.id.empty() ? std::string(level.scope) : std::string(level.scope) + ":" + level.id,
                           b.name, b};
      if (auto held = hook->reserve(ref, cost); !held) {
        Denial d = held.error();
        d.scope = level.scope;
        d.scope_id = level.id;
        d.limit_name = b.name;
        d.request_nano = cost;
        return std::unexpected(d);
      }
      central.refs.push_back(std::move(ref));
    }
  }

  std::lock_guard lock(m_mutex);
  // Budgets first: an exhausted budget is the more lasting reason and the one to report.
  std::vector<Account*> accounts;
  std::vector<detail::LevelState*> states;
  for (const auto& level : levels) {
    detail::LevelState* state = level_state(level);
    states.push_back(state);
    for (const auto& b : *level.budgets) {
      Denial d;
      d.scope = level.scope;
      d.scope_id = level.id;
      if (!price) {
        d.kind = Denial::Kind::unpriced_model;
        d.model = req.model;
        return std::unexpected(d);
      }
      Account* a = account(*state, level, b);
      int64_t spent = a->spent_now(now, m_store);
      if (!is_central(b) && spent + a->reserved + cost > b.amount_nano_usd) {
        d.kind = Denial::Kind::budget;
        d.limit_name = b.name;
        d.spent_nano = spent;
        d.reserved_nano = a->reserved;
        d.limit_nano = b.amount_nano_usd;
        d.request_nano = cost;
        d.resets_at_ms = a->resets_at(now);
        d.rolling = b.window == config::Window::rolling;
        return std::unexpected(d);
      }
      accounts.push_back(a);
    }
  }
  // Rate limits: check every level before changing any, so a refusal leaves no trace.
  std::vector<detail::RateHold> rates;
  std::vector<std::pair<int64_t, int64_t>> new_tats;  // (request TAT, token TAT) per level
  for (size_t li = 0; li < levels.size(); ++li) {
    const auto& level = levels[li];
    const auto& lim = *level.limits;
    RateState* s = &states[li]->rate;
    Denial d;
    d.scope = level.scope;
    d.scope_id = level.id;
    if (lim.concurrent && s->in_flight >= lim.concurrent) {
      d.kind = Denial::Kind::concurrency;
      d.limit_value = lim.concurrent;
      d.retry_after_ms = 1000;
      return std::unexpected(d);
    }
    int64_t req_tat = s->request_tat_ns, tok_tat = s->token_tat_ns, charged = 0;
    if (lim.requests_per_minute) {
      int64_t wait = detail::gcra_check(req_tat, now_ns, lim.requests_per_minute, 1, req_tat);
      if (wait) {
        d.kind = Denial::Kind::requests_per_minute;
        d.limit_value = lim.requests_per_minute;
        d.retry_after_ms = (wait + 999'999) / 1'000'000;
        return std::unexpected(d);
      }
    }
    if (lim.tokens_per_minute) {
      // A request larger than the whole minute's allowance may still pass on a full bucket.
      charged = std::min(tokens, lim.tokens_per_minute);
      int64_t wait = detail::gcra_check(tok_tat, now_ns, lim.tokens_per_minute, charged, tok_tat);
      if (wait) {
        d.kind = Denial::Kind::tokens_per_minute;
        d.limit_value = lim.tokens_per_minute;
        d.request_tokens = tokens;
        d.retry_after_ms = (wait + 999'999) / 1'000'000;
        return std::unexpected(d);
      }
    }
    rates.push_back({s, lim.tokens_per_minute, charged});
    new_tats.emplace_back(req_tat, tok_tat);
  }
  for (size_t i = 0; i < rates.size(); ++i) {
    rates[i].state->request_tat_ns = new_tats[i].first;
    rates[i].state->token_tat_ns = new_tats[i].second;
    rates[i].state->in_flight++;
  }
  for (Account* a : accounts) a->reserved += cost;

  r.m_owner = this;
  if (price) r.m_price = *price;
  r.m_accounts = std::move(accounts);
  r.m_rates = std::move(rates);
  r.m_reserved_nano = cost;
  r.m_reserved_tokens = tokens;
  r.m_central = std::move(central.refs);
  central.refs.clear();
  return r;
}

int64_t Admission::settle(Reservation& r, const config::Usage* usage) {
  const int64_t now = m_clock.now_ms();
  const int64_t now_ns = now * 1'000'000;
  int64_t cost = usage && r.m_price ? config::cost_nano_usd(*r.m_price, *usage) : 0;
  int64_t used_tokens = usage ? usage->total_tokens() : 0;
  std::vector<std::pair<std::string, int64_t>> writes;
  {
    std::lock_guard lock(m_mutex);
    for (Account* a : r.m_accounts) {
      a->reserved -= r.m_reserved_nano;
      if (cost <= 0) continue;
      a->spent_now(now, m_store);
      int64_t bucket = a->bucket_for(now);
      if (a->window == config::Window::calendar)
        a->spent += cost;
      else
        a->buckets[bucket] += cost;
      writes.emplace_back(a->store_key, bucket);
    }
    for (auto& hold : r.m_rates) {
      hold.state->in_flight--;
      if (!hold.tokens_per_minute) continue;
      // Give back the tokens reserved but not used, or take the excess (the bucket may go
      // into debt, delaying later requests). A released hold gives back everything.
      int64_t used = usage ? std::min(used_tokens, hold.tokens_per_minute) : 0;
      __int128 shift = static_cast<__int128>(detail::k_minute_ns) * (used - hold.tokens_charged) /
                       hold.tokens_per_minute;
      hold.state->token_tat_ns = static_cast<int64_t>(hold.state->token_tat_ns + shift);
    }
  }
  (void)now_ns;
  for (const auto& ref : r.m_central) m_central.load()->settle(ref, r.m_reserved_nano, cost);
  r.m_central.clear();
  for (const auto& [key, bucket] : writes) {
    if (auto st = m_store.add(key, bucket, cost); !st)
      gw::log::write(gw::log::Level::error, "spend not persisted",
                     nlohmann::json{{"account", key}, {"error", st.error().message}});
  }
  r.m_owner = nullptr;
  r.m_accounts.clear();
  r.m_rates.clear();
  return cost;
}

std::vector<BudgetStatus> Admission::budgets_of(const config::Policy& policy,
                                                const config::VirtualKey& key) {
  std::vector<BudgetStatus> out;
  const int64_t now = m_clock.now_ms();
  std::lock_guard lock(m_mutex);
  for (const auto& level : levels_of(policy, key)) {
    detail::LevelState* state = level_state(level);
    for (const auto& b : *level.budgets) {
      Account* a = account(*state, level, b);
      BudgetStatus s{level.scope, level.id, b, a->spent_now(now, m_store), a->reserved,
                     a->resets_at(now)};
      out.push_back(std::move(s));
    }
  }
  return out;
}

}  // namespace gw::limits
