#pragma once
// Converts an already parsed TOML table into the loader's SourceDoc (canonical JSON plus the
// position of every value), for decoders of other config files (server.toml, [[siem]]) that want
// the same "FILE:LINE:COL: path: message" diagnostics as the policy loader.
#include <string_view>

#include "core/config/policy_source.hpp"
#include "core/config/toml_include.hpp"

namespace gw::config::detail {

SourceDoc toml_table_to_doc(const toml::table& table, std::string_view file);

}  // namespace gw::config::detail
