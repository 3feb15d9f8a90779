#include "core/audit/record.hpp"

#include "core/common/crypto.hpp"

namespace gw::audit {
using nlohmann::json;

namespace {
std::string unhex(std::string_view hex) {
  std::string out;
  if (hex.size() % 2) return out;
  for (size_t i = 0; i < hex.size(); i += 2) {
    auto nib = [](char c) { return c <= '9' ? c - '0' : c - 'a' + 10; };
    char a = hex[i], b = hex[i + 1];
    bool ok = ((a >= '0' && a <= '9') || (a >= 'a' && a <= 'f')) &&
              ((b >= '0' && b <= '9') || (b >= 'a' && b <= 'f'));
    if (!ok) return {};
    out.push_back(static_cast<char>(nib(a) * 16 + nib(b)));
  }
  return out;
}
}  // namespace

std::string record_hash(std::string_view line) { return sha256_hex(line); }

Result<std::string> make_checkpoint_line(uint64_t seq, std::string_view prev, int64_t time_ms,
                                         std::string_view device_id, const DeviceKey& key) {
  json j = {{"v", 1},
            {"record", "checkpoint"},
            {"seq", seq},
            {"prev", prev},
            {"time_ms", time_ms},
            {"device_id", device_id},
            {"key_id", key.key_id()},
            {"alg", "ed25519"}};
  GW_TRY(sig, key.sign(j.dump()));
  j["sig"] = to_hex(sig);
  return j.dump();
}

std::string checkpoint_problem(const json& record, const DeviceKey& trusted) {
  auto it = record.find("sig");
  if (it == record.end() || !it->is_string()) return "checkpoint has no signature";
  if (record.value("key_id", "") != trusted.key_id())
    return "checkpoint claims key " + record.value("key_id", std::string("?")) +
           " but this device's key is " + trusted.key_id() + " (forged checkpoint?)";
  json unsigned_part = record;
  unsigned_part.erase("sig");
  if (!trusted.verify(unsigned_part.dump(), unhex(it->get<std::string>())))
    return "checkpoint signature does not verify with the device key (forged or edited checkpoint)";
  return {};
}

Result<json> parse_record(std::string_view line) {
  json j = json::parse(line, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return fail(Errc::invalid_argument, "not valid JSON");
  auto seq = j.find("seq");
  if (seq == j.end() || !seq->is_number_unsigned() || seq->get<uint64_t>() == 0)
    return fail(Errc::invalid_argument, "no valid \"seq\"");
  auto prev = j.find("prev");
  if (prev == j.end() || !prev->is_string() || prev->get<std::string>().size() != 64)
    return fail(Errc::invalid_argument, "no valid \"prev\"");
  auto rec = j.find("record");
  if (rec == j.end() || !rec->is_string() ||
      (rec->get<std::string>() != "event" && rec->get<std::string>() != "checkpoint"))
    return fail(Errc::invalid_argument, "unknown \"record\" type");
  return j;
}

}  // namespace gw::audit
