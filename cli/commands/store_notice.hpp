#pragma once
// The warning every `gw status` (and `gw keys`) prints while provider keys live in the plain-file
// fallback instead of an OS keychain.
#include <optional>
#include <string>

#include "core/common/paths.hpp"

namespace gw::cli {

// The warning text when the secret store that gw would open here is the 0600-file fallback,
// nullopt when it is an OS keychain (or no store can be opened: commands that need one say so).
std::optional<std::string> insecure_store_warning(const Paths& paths);

}  // namespace gw::cli
