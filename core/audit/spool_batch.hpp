#pragma once
// Internal to the spool: the shared state of one group commit.
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/common/result.hpp"

namespace gw::audit {
namespace detail {
// The shared state of one group commit: every append that joined it waits on `cv`.
struct Batch {
  std::mutex mu;
  std::condition_variable cv;
  std::atomic<bool> done{false};  // also read under the spool's mutex by durable appenders
  std::optional<Error> error;
  size_t count = 0;  // appends that joined (set under the spool's mutex)
  std::vector<uint64_t> seqs;
  std::vector<std::string> ids;

  void finish(std::optional<Error> err) {
    {
      std::lock_guard lk(mu);
      error = std::move(err);
      done = true;
    }
    cv.notify_all();
  }
};
}  // namespace detail

}  // namespace gw::audit
