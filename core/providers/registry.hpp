#pragma once
// The providers, written out in one place, and request routing: one port serves all three APIs,
// by prefix (/anthropic, /openai, /gemini) or, for bare paths, by the path's shape.
#include <memory>
#include <string_view>
#include <vector>

#include "core/http/message.hpp"
#include "core/providers/provider.hpp"

namespace gw::providers {

struct Resolved {
  const Provider* provider = nullptr;  // never null: unknown routes get the likeliest provider
  std::optional<Route> route;          // nullopt: an unknown route (answer 404 in provider's shape)
  std::string path;                    // the path with the prefix removed
};

class Registry {
public:
  Registry();
  // Resolves a request. Thread-safe; allocation only for the returned path.
  Resolved resolve(std::string_view method, std::string_view path, const http::Headers& headers) const;
  const Provider* by_id(std::string_view id) const;
  const Provider* by_kind(ApiKind kind) const;

private:
  std::vector<std::unique_ptr<Provider>> m_providers;  // anthropic, openai, gemini
};

}  // namespace gw::providers
