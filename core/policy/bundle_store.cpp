#include "core/policy/bundle_store.hpp"

#include <nlohmann/json.hpp>

#include "core/common/files.hpp"
#include "core/common/paths.hpp"

namespace gw::policy {
namespace fs = std::filesystem;
using nlohmann::json;

Result<StoredBundleInfo> BundleStore::load_info() const {
  StoredBundleInfo info;
  auto text = read_file(m_dir / "state.json", 1 << 20);
  if (!text) {
    if (text.error().code == Errc::not_found) return info;
    return std::unexpected(text.error());
  }
  std::string corrupt = (m_dir / "state.json").string() +
                        " is corrupt; remove it and install a bundle again (gw policy install BUNDLE)";
  json j = json::parse(*text, nullptr, false);
  if (!j.is_object()) return fail(Errc::config, corrupt);
  try {
    info.state.version = j.at("version").get<uint64_t>();
    info.state.payload_sha256 = j.at("payload_sha256").get<std::string>();
    info.state.revocation_serial = j.at("revocation_serial").get<uint64_t>();
    for (const auto& id : j.at("revoked")) info.state.revoked.insert(id.get<std::string>());
    info.source = j.value("source", "");
    info.installed_at = j.value("installed_at", int64_t{0});
  } catch (const json::exception&) {
    return fail(Errc::config, corrupt);
  }
  return info;
}

Result<std::optional<std::string>> BundleStore::load_current() const {
  auto bytes = read_file(m_dir / "current.bundle", k_max_bundle_bytes + 1);
  if (!bytes) {
    if (bytes.error().code == Errc::not_found) return std::optional<std::string>();
    return std::unexpected(bytes.error());
  }
  return std::optional<std::string>(std::move(*bytes));
}

Status BundleStore::save_state(const StoredBundleInfo& info) {
  GW_CHECK(ensure_private_dir(m_dir));
  json j = {{"version", info.state.version},
            {"payload_sha256", info.state.payload_sha256},
            {"revocation_serial", info.state.revocation_serial},
            {"revoked", info.state.revoked},
            {"source", info.source},
            {"installed_at", info.installed_at}};
  return write_file_atomic(m_dir / "state.json", j.dump(2) + "\n", 0600);
}

Status BundleStore::install(std::string_view bytes, const BundleState& state, const std::string& source, int64_t now_s) {
  GW_CHECK(ensure_private_dir(m_dir));
  GW_CHECK(write_file_atomic(m_dir / "current.bundle", bytes, 0600));
  return save_state({state, source, now_s});
}

}  // namespace gw::policy
