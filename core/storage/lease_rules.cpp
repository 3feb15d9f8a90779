#include "core/storage/lease_rules.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "core/common/ids.hpp"

namespace gw::storage {
using nlohmann::json;

std::string_view to_string(LeaseOp::Kind kind) {
  switch (kind) {
    case LeaseOp::Kind::acquire: return "acquire";
    case LeaseOp::Kind::renew: return "renew";
    case LeaseOp::Kind::release: return "release";
  }
  return "?";
}

json to_json(const LeaseAnswer& a) {
  return {{"exhausted", a.exhausted},         {"released", a.released},
          {"lease_id", a.lease_id},           {"window_start_ms", a.window_start_ms},
          {"window_end_ms", a.window_end_ms}, {"granted_nano", a.granted_nano},
          {"spent_nano", a.spent_nano},       {"grant_nano", a.grant_nano},
          {"expires_at_ms", a.expires_at_ms}, {"limit_nano", a.limit_nano},
          {"settled_nano", a.settled_nano},   {"outstanding_nano", a.outstanding_nano},
          {"remaining_nano", a.remaining_nano}};
}

Result<LeaseAnswer> lease_answer_from_json(const json& j) {
  if (!j.is_object()) return fail(Errc::protocol, "a lease answer must be a JSON object");
  LeaseAnswer a;
  auto num = [&](const char* k, int64_t& out) {
    auto it = j.find(k);
    if (it == j.end() || !it->is_number_integer()) return false;
    out = it->get<int64_t>();
    return true;
  };
  bool ok = num("window_start_ms", a.window_start_ms) && num("window_end_ms", a.window_end_ms) &&
            num("granted_nano", a.granted_nano) && num("spent_nano", a.spent_nano) &&
            num("grant_nano", a.grant_nano) && num("expires_at_ms", a.expires_at_ms) &&
            num("limit_nano", a.limit_nano) && num("settled_nano", a.settled_nano) &&
            num("outstanding_nano", a.outstanding_nano) && num("remaining_nano", a.remaining_nano);
  if (!ok || !j.contains("lease_id") || !j["lease_id"].is_string())
    return fail(Errc::protocol, "a lease answer lacks a field or has one of the wrong type: " + j.dump());
  a.lease_id = j["lease_id"].get<std::string>();
  a.exhausted = j.value("exhausted", false);
  a.released = j.value("released", false);
  return a;
}

namespace {

// Records a (cumulative) spend report on `lease`: only an increase counts.
void record_spend(BudgetRow& b, LeaseRow& lease, int64_t spent) {
  if (spent > lease.spent_nano) {
    b.settled_nano += spent - lease.spent_nano;
    lease.spent_nano = spent;
  }
}

// Closes the lease `op` names in an earlier window, keeping the spend it reports.
Status close_in_old_window(LeaseLedger& ledger, const LeaseOp& op) {
  BudgetRef old{op.ref.scope, op.ref.budget, op.lease_window_start_ms};
  return ledger.transact(old, [&](LeaseTxn& t) -> Status {
    GW_TRY(row, t.budget());
    GW_TRY(lease, t.lease(op.lease_id));
    if (!row || !lease) return {};  // nothing known of it: that window is over anyway
    record_spend(*row, *lease, op.spent_nano);
    lease->open = false;
    lease->updated_ms = op.now_ms;
    GW_CHECK(t.put_lease(*lease));
    return t.put_budget(*row);
  });
}

Status check(const LeaseOp& op) {
  if (op.request_id.empty()) return fail(Errc::invalid_argument, "request_id is required (any unique string; reuse it when retrying)");
  if (op.device_id.empty()) return fail(Errc::invalid_argument, "device_id is required");
  if (op.kind != LeaseOp::Kind::acquire && op.lease_id.empty())
    return fail(Errc::invalid_argument, std::string(to_string(op.kind)) + " needs the lease_id of an earlier acquire");
  if (op.spent_nano < 0 || op.want_nano < 0 || op.slice_nano < 0 || op.limit_nano < 0)
    return fail(Errc::invalid_argument, "amounts must be >= 0");
  if (op.ttl_ms <= 0) return fail(Errc::invalid_argument, "ttl must be > 0");
  return {};
}

}  // namespace

Result<LeaseAnswer> apply_lease_op(LeaseLedger& ledger, const LeaseOp& op) {
  GW_CHECK(check(op));
  const bool other_window = op.kind != LeaseOp::Kind::acquire && op.lease_window_start_ms != op.ref.window_start_ms;
  if (other_window) GW_CHECK(close_in_old_window(ledger, op));

  LeaseAnswer answer;
  const std::string answer_key = op.device_id + "/" + op.request_id;
  GW_CHECK(ledger.transact(op.ref, [&](LeaseTxn& t) -> Status {
    GW_TRY(earlier, t.answered(answer_key));
    if (earlier) {
      auto j = json::parse(*earlier, nullptr, false);
      GW_TRY(a, lease_answer_from_json(j));
      answer = std::move(a);
      return {};
    }
    GW_TRY(row, t.budget());
    BudgetRow b = row ? *row : BudgetRow{op.ref, op.window_end_ms, op.limit_nano, 0};
    b.limit_nano = op.limit_nano;  // the policy in force decides the limit
    b.window_end_ms = op.window_end_ms;

    // The lease this operation works on: an existing one, or a new one.
    LeaseRow lease;
    bool fresh = op.kind == LeaseOp::Kind::acquire || other_window;
    if (!fresh) {
      GW_TRY(found, t.lease(op.lease_id));
      if (found) {
        lease = *found;
        if (lease.device_id != op.device_id)
          return fail(Errc::invalid_argument, "lease " + op.lease_id + " belongs to another device");
      } else {
        lease.lease_id = op.lease_id;  // unknown here (restored store): recreate it with its spend
        lease.device_id = op.device_id;
        lease.created_ms = op.now_ms;
        lease.open = false;
      }
      record_spend(b, lease, op.spent_nano);
      if (!lease.open || lease.expires_at_ms <= op.now_ms) {
        // Its remainder was released at expiry (or it was closed): it restarts from its spend.
        lease.granted_nano = lease.spent_nano;
      }
    } else {
      lease.lease_id = uuid_v7(op.now_ms);
      lease.device_id = op.device_id;
      lease.created_ms = op.now_ms;
    }

    // Outstanding grants of every other open lease; expired ones are closed on the way.
    GW_TRY(open, t.open_leases());
    int64_t others = 0;
    for (auto& l : open) {
      if (l.lease_id == lease.lease_id) continue;
      if (l.expires_at_ms <= op.now_ms) {
        l.open = false;
        l.updated_ms = op.now_ms;
        GW_CHECK(t.put_lease(l));
        continue;
      }
      others += l.outstanding(op.now_ms);
    }

    if (op.kind == LeaseOp::Kind::release) {
      lease.open = false;
      answer.released = true;
    } else {
      lease.open = true;
      lease.expires_at_ms = std::min(op.now_ms + op.ttl_ms, b.window_end_ms);
      const int64_t mine = std::max<int64_t>(lease.granted_nano - lease.spent_nano, 0);
      const int64_t available = std::max<int64_t>(b.limit_nano - b.settled_nano - others - mine, 0);
      if (available < op.want_nano) {
        answer.exhausted = true;  // nothing granted: a device that cannot use it must not hold it
      } else {
        // Top the lease up to a slice, or by what is needed now if that is more.
        int64_t grant = std::min(available, std::max(op.want_nano, op.slice_nano - mine));
        // A device that overspent its lease (the provider reported more than was reserved)
        // first covers that overrun out of the new grant.
        if (lease.spent_nano > lease.granted_nano) lease.granted_nano = lease.spent_nano;
        lease.granted_nano += grant;
        answer.grant_nano = grant;
      }
    }
    lease.updated_ms = op.now_ms;
    GW_CHECK(t.put_lease(lease));
    GW_CHECK(t.put_budget(b));

    answer.lease_id = lease.lease_id;
    answer.window_start_ms = b.ref.window_start_ms;
    answer.window_end_ms = b.window_end_ms;
    answer.granted_nano = lease.granted_nano;
    answer.spent_nano = lease.spent_nano;
    answer.expires_at_ms = lease.expires_at_ms;
    answer.limit_nano = b.limit_nano;
    answer.settled_nano = b.settled_nano;
    answer.outstanding_nano = others + lease.outstanding(op.now_ms);
    answer.remaining_nano = std::max<int64_t>(b.limit_nano - b.settled_nano - answer.outstanding_nano, 0);
    return t.remember(answer_key, to_json(answer).dump(), op.now_ms);
  }));
  return answer;
}

}  // namespace gw::storage
