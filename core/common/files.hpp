#pragma once
// Whole-file reads and crash-safe writes for small files (keys, policy bundles, cursors).
#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

#include <sys/types.h>

#include "core/common/result.hpp"

namespace gw {

// The file's bytes. Errors: not_found (no such file), io (unreadable), invalid_argument (larger
// than max_bytes: the message gives both sizes). Messages name the path.
Result<std::string> read_file(const std::filesystem::path& path, size_t max_bytes = 64u << 20);

// Replaces path with data atomically: writes path + ".tmp" with `mode`, fsyncs it, renames it over
// path and fsyncs the directory, so a crash leaves either the old or the new content, never a mix.
Status write_file_atomic(const std::filesystem::path& path, std::string_view data, mode_t mode = 0644);

}  // namespace gw
