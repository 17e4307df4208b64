// Files that survive a crash at any instant: a reader afterwards finds the
// old content or the new one, never a mix or a truncated file. The recipe:
// write a temporary file in the same directory, fsync it, rename it over
// the target, fsync the directory (the rename itself must reach the disk
// before the caller tells anyone the change is done).
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>

#include "base/status.h"

namespace strata::daemon {

// Replaces `path` with `bytes` atomically and durably; the file gets `mode`.
Status write_file_atomically(const std::string& path, std::string_view bytes, mode_t mode = 0600);

// Reads a whole file. NOT_FOUND when it does not exist.
Result<std::string> read_file(const std::string& path);

// mkdir -p: creates `dir` and its missing parents with `mode`.
Status make_directories(const std::string& dir, mode_t mode);

// The directory part of a path ("." for a bare name).
std::string parent_directory(const std::string& path);

// "strerror(errno)" for the error values this layer returns.
std::string errno_text(int err);

}  // namespace strata::daemon
