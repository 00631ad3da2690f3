#pragma once
// Crash-safe file replacement: write a temporary file beside the target, fsync it, rename it over
// the target, fsync the directory. A crash at any point leaves either the old or the new file.

#include <filesystem>
#include <string>
#include <string_view>
#include <system_error>

namespace spwf::config {

/// Replaces `path` with `content` atomically. Returns the first failure, if any.
std::error_code atomic_write(const std::filesystem::path& path, std::string_view content);
/// Reads a whole file; returns an error code when it cannot be read.
std::error_code read_file(const std::filesystem::path& path, std::string& content);

}  // namespace spwf::config
