#include "core/providers/registry.hpp"

#include "core/providers/anthropic/anthropic_provider.hpp"
#include "core/providers/gemini/gemini_provider.hpp"
#include "core/providers/openai/openai_provider.hpp"

namespace gw::providers {

std::string_view api_kind_name(ApiKind k) {
  switch (k) {
    case ApiKind::anthropic: return "anthropic";
    case ApiKind::openai: return "openai";
    case ApiKind::gemini: return "gemini";
  }
  return "anthropic";
}

std::string_view endpoint_name(Endpoint e) {
  switch (e) {
    case Endpoint::preconnect: return "preconnect";
    case Endpoint::models: return "models";
    case Endpoint::messages: return "messages";
    case Endpoint::count_tokens: return "count_tokens";
    case Endpoint::responses: return "responses";
    case Endpoint::chat_completions: return "chat_completions";
    case Endpoint::generate_content: return "generate_content";
  }
  return "unknown";
}

Registry::Registry() {
  m_providers.push_back(std::make_unique<AnthropicProvider>());
  m_providers.push_back(std::make_unique<OpenAiProvider>());
  m_providers.push_back(std::make_unique<GeminiProvider>());
}

const Provider* Registry::by_id(std::string_view id) const {
  for (const auto& p : m_providers)
    if (p->id() == id) return p.get();
  return nullptr;
}

const Provider* Registry::by_kind(ApiKind kind) const {
  for (const auto& p : m_providers)
    if (p->kind() == kind) return p.get();
  return nullptr;
}

// Removes "/<prefix>" when path is exactly it or continues with '/'.
static bool strip_prefix(std::string_view& path, std::string_view prefix) {
  if (!path.starts_with(prefix)) return false;
  std::string_view rest = path.substr(prefix.size());
  if (!rest.empty() && rest.front() != '/') return false;
  path = rest.empty() ? std::string_view("/") : rest;
  return true;
}

Resolved Registry::resolve(std::string_view method, std::string_view path, const http::Headers& headers) const {
  for (const auto& p : m_providers) {
    std::string prefix = "/" + std::string(p->id());
    std::string_view rest = path;
    if (strip_prefix(rest, prefix)) return Resolved{p.get(), p->route(method, rest), std::string(rest)};
  }
  // Bare paths. GET /v1/models is shared by Anthropic and OpenAI: Anthropic clients always send
  // anthropic-version.
  const Provider* anthropic = m_providers[0].get();
  const Provider* openai = m_providers[1].get();
  const Provider* gemini = m_providers[2].get();
  bool anthropic_client = headers.has("anthropic-version") || headers.has("x-api-key");
  if (method == "GET" && path.starts_with("/v1/models") && !anthropic_client && !headers.has("x-goog-api-key"))
    return Resolved{openai, openai->route(method, path), std::string(path)};
  for (const auto& p : m_providers)
    if (auto r = p->route(method, path)) return Resolved{p.get(), r, std::string(path)};
  for (const auto& p : m_providers)
    if (p->owns_path(path)) return Resolved{p.get(), std::nullopt, std::string(path)};
  const Provider* likely = anthropic_client ? anthropic : headers.has("x-goog-api-key") ? gemini : openai;
  return Resolved{likely, std::nullopt, std::string(path)};
}

}  // namespace gw::providers
