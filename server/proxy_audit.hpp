#pragma once
// Audit of the provider proxy: the proxy writes its records like a sidecar does (a local,
// hash-chained, group-committed spool: the admitted record is durable before the request is
// forwarded), and an in-process forwarder stores them in the central audit store through the
// same ingest code as a device's batches (server/ingest.hpp). The proxy is one more device of
// the store, with its own chain (device id "central-<host>" by default) and enrollment id
// "central": the same schema and dedup, and the SIEM feed sees its events like everyone's.
#include <memory>
#include <string>

#include "core/audit/forwarder.hpp"
#include "core/common/clock.hpp"
#include "core/storage/audit_store.hpp"

namespace gw::server {

// The enrollment id recorded for the proxy's own chain.
inline constexpr const char* k_proxy_enrollment = "central";

// A ShipTransport that ingests a batch body into `store` directly (no HTTP, no token). store and
// clock must outlive it.
std::unique_ptr<audit::ShipTransport> make_store_transport(storage::AuditStore& store, const Clock& clock,
                                                           size_t max_batch_records);

}  // namespace gw::server
