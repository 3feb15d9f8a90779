#pragma once
// Waiting for a file another process writes, without sleeping: inotify on the file's folder wakes
// the caller whenever something in it is created, written, closed or renamed, and the condition is
// checked again. Bounded by a deadline. (Linux; tests only.)
#include <chrono>
#include <filesystem>
#include <functional>

namespace gw::test {

// Returns true as soon as done() holds, checking it first, then after every change in the folder
// of `file` (or, while that folder does not exist yet, in its nearest existing ancestor); false
// when `timeout` passes first. done() runs on the calling thread; it must be cheap enough to
// run once per write.
bool wait_for_file_change(const std::filesystem::path& file, const std::function<bool()>& done,
                          std::chrono::milliseconds timeout);

}  // namespace gw::test
