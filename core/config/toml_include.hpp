#pragma once
// Includes toml++ in its non-throwing, header-only form. The Debian package's compiled library is
// built with exceptions (toml::ex), so linking it under TOML_EXCEPTIONS=0 leaves toml::noex::parse
// undefined; header-only mode compiles the parser into the including translation unit instead.
// Include this (never <toml++/toml.h> directly) from the few files that parse TOML.
#undef TOML_SHARED_LIB
#define TOML_SHARED_LIB 0
#undef TOML_HEADER_ONLY
#define TOML_HEADER_ONLY 1
#undef TOML_EXCEPTIONS
#define TOML_EXCEPTIONS 0
#include <toml++/toml.h>
