#include "server/key_directory_lookup.hpp"

#include "server/central_server.hpp"

namespace gw::server {

config::CentralKeyRecord central_key_record(const storage::KeyRecord& row, uint64_t revision) {
  config::CentralKeyRecord r;
  const config::VirtualKey& key = row.key;
  r.id = key.id;
  r.owner = key.owner;
  r.team = key.team;
  r.providers = key.access.providers;
  r.models = key.access.models;
  r.deny_models = key.access.deny_models;
  r.budgets = key.budgets;
  r.limits = key.limits;
  r.enabled = key.enabled;
  r.expires_at_ms = key.expires_at_ms;
  r.revoked = row.revoked();
  r.revoked_reason = row.revoke_reason;
  r.revoked_by = row.revoked_by;
  r.revoked_at_ms = row.revoked_at_ms.value_or(0);
  r.revision = revision;
  return r;
}

void connect_key_directory(CentralServer& server, storage::KeyDirectory& directory) {
  server.set_key_lookup(
      [&directory](const std::string& secret_hash) -> Result<std::optional<config::CentralKeyRecord>> {
        GW_TRY(revision, directory.revision());
        GW_TRY(row, directory.find_by_secret_hash(secret_hash));
        if (!row) return std::optional<config::CentralKeyRecord>{};
        return std::optional<config::CentralKeyRecord>{central_key_record(*row, revision)};
      },
      [&directory]() { return directory.revision(); });
}

}  // namespace gw::server
