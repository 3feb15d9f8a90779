#include "server/proxy_audit.hpp"

#include "server/ingest.hpp"

namespace gw::server {

namespace {

class StoreTransport final : public audit::ShipTransport {
public:
  StoreTransport(storage::AuditStore& store, const Clock& clock, size_t max_records)
      : m_store(store), m_clock(clock), m_max_records(max_records) {}

  Result<audit::ShipReply> send(const std::string& body, const std::string&) override {
    // The batch was signed by our own key a moment ago in this process: parse, do not verify.
    GW_TRY(batch, parse_batch_body(body, m_max_records));
    batch.enrollment_id = k_proxy_enrollment;
    auto result = ingest_batch(m_store, batch, m_clock);
    if (!result) {
      if (result.error().code == Errc::invalid_argument) return std::unexpected(result.error());
      return fail(Errc::unavailable, "the central store could not take the proxy's audit batch: " +
                                         result.error().message);
    }
    if (!result->rejected.empty()) return fail(Errc::denied, result->rejected);
    return audit::ShipReply{result->acked_seq, result->epoch, result->alarms};
  }
  std::string describe() const override { return "central store (in process)"; }

private:
  storage::AuditStore& m_store;
  const Clock& m_clock;
  size_t m_max_records;
};

}  // namespace

std::unique_ptr<audit::ShipTransport> make_store_transport(storage::AuditStore& store, const Clock& clock,
                                                           size_t max_batch_records) {
  return std::make_unique<StoreTransport>(store, clock, max_batch_records);
}

}  // namespace gw::server
