#pragma once
// Internal to the policy loader: the [guardrails] section (see guardrails.hpp, docs/policy.md).
#include "core/config/guardrails.hpp"
#include "core/config/policy_reader.hpp"

namespace gw::config::detail {

// Decodes [guardrails] from the root table, loads its rule files (paths relative to the policy
// file's directory), compiles custom rules and resolves every rule's action. Every problem is
// reported through diag; the result is disabled when the section is absent or has errors.
Guardrails decode_guardrails(ObjectReader& root, const SourceDoc& doc, Diagnostics& diag);

}  // namespace gw::config::detail
