#include "core/http/message.hpp"

#include <algorithm>
#include <array>

namespace gw::http {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x + 32);
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y + 32);
    if (x != y) return false;
  }
  return true;
}

std::optional<std::string_view> Headers::get(std::string_view name) const {
  for (const auto& [k, v] : m_items)
    if (iequals(k, name)) return std::string_view(v);
  return std::nullopt;
}

size_t Headers::remove(std::string_view name) {
  auto before = m_items.size();
  std::erase_if(m_items, [&](const Header& h) { return iequals(h.first, name); });
  return before - m_items.size();
}

void Headers::set(std::string name, std::string value) {
  remove(name);
  add(std::move(name), std::move(value));
}

bool is_hop_by_hop(std::string_view name) {
  static constexpr std::array<std::string_view, 9> k_hop = {
      "connection", "keep-alive", "proxy-connection", "transfer-encoding", "te",
      "trailer", "upgrade", "proxy-authorization", "proxy-authenticate"};
  return std::any_of(k_hop.begin(), k_hop.end(), [&](std::string_view h) { return iequals(h, name); });
}

}  // namespace gw::http
