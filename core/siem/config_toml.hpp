#pragma once
// decode_siem for a parsed TOML server config (kept apart: including toml++ is costly).
#include <string_view>

#include "core/config/toml_include.hpp"
#include "core/siem/config.hpp"

namespace gw::siem {

// Decodes root["siem"] of a parsed server config; other keys are not looked at. All problems in
// one Errc::config error, one "FILE:LINE:COL: siem[i].key: message" line each, in file order.
Result<SiemConfig> decode_siem(const toml::table& root, std::string_view file);

}  // namespace gw::siem
