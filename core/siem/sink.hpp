#pragma once
// A SIEM destination. Each sink is driven by its own SinkRunner thread, which reads batches from
// the EventFeed after the sink's cursor and hands them to deliver(); the cursor advances only
// after deliver() succeeds, so a failed batch is offered again (at-least-once).
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/siem/feed.hpp"

namespace gw::siem {

struct DeliveryError {
  std::string message;  // user-facing, secret-free (never a token)
  // false: retrying soon will not help (HTTP 4xx such as a rejected token): the runner waits the
  // longest backoff before trying again, so a fixed config resumes without losing events.
  bool retryable = true;
  std::optional<int> retry_after_ms;  // the destination asked for this delay (Retry-After)
};

using Delivery = std::expected<void, DeliveryError>;

class Sink {
public:
  virtual ~Sink() = default;
  virtual std::string_view type() const = 0;
  // Delivers every event of `batch` (non-empty, in feed order) or fails. Success means the
  // destination accepted all of them as far as its protocol can tell. Called only from the
  // sink's runner thread; may block up to the sink's own timeouts.
  virtual Delivery deliver(const std::vector<FeedEvent>& batch) = 0;
};

inline std::unexpected<DeliveryError> delivery_failed(std::string message, bool retryable = true,
                                                      std::optional<int> retry_after_ms = {}) {
  return std::unexpected(DeliveryError{std::move(message), retryable, retry_after_ms});
}

}  // namespace gw::siem
