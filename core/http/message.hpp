#pragma once
// Plain HTTP message types shared by the server side, the upstream client and the pipeline.
// Header names keep the case the peer sent; lookups are case-insensitive.
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace gw::http {

using Header = std::pair<std::string, std::string>;

// Ordered header list (order and duplicates preserved, as the agent sent them).
class Headers {
public:
  void add(std::string name, std::string value) { m_items.emplace_back(std::move(name), std::move(value)); }
  // First value of a header, case-insensitive name.
  std::optional<std::string_view> get(std::string_view name) const;
  bool has(std::string_view name) const { return get(name).has_value(); }
  // Removes every header with that name; returns how many were removed.
  size_t remove(std::string_view name);
  void set(std::string name, std::string value);
  const std::vector<Header>& items() const { return m_items; }
  std::vector<Header>& items() { return m_items; }

private:
  std::vector<Header> m_items;
};

bool iequals(std::string_view a, std::string_view b);

// True for hop-by-hop headers (RFC 9110 7.6.1) that a proxy must not forward.
bool is_hop_by_hop(std::string_view name);

struct Request {
  std::string method;
  std::string path;   // without the query string
  std::string query;  // without the leading '?', may be empty
  Headers headers;
  std::string body;
};

// A complete response produced by gw itself (denials, errors, local answers).
struct Reply {
  int status = 200;
  Headers headers;
  std::string content_type = "application/json";
  std::string body;
};

}  // namespace gw::http
