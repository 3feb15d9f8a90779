#pragma once
// Error handling across module boundaries: std::expected<T, gw::Error>, propagated with GW_TRY.
// Exceptions are used only at the edges (main, route handlers).
#include <expected>
#include <string>
#include <utility>

namespace gw {

enum class Errc {
  invalid_argument,  // the caller passed something malformed (bad JSON, bad flag)
  not_found,         // a named thing does not exist
  io,                // the OS refused a read/write/connect
  timeout,           // a deadline passed
  protocol,          // a peer spoke HTTP/TLS/SSE wrongly
  config,            // configuration or policy is invalid
  denied,            // policy refused
  unavailable,       // a dependency (upstream, keychain, central) cannot be reached
  internal,          // a bug: an invariant did not hold
};

struct Error {
  Errc code = Errc::internal;
  std::string message;  // precise and user-facing; never contains a secret value
};

template <class T>
using Result = std::expected<T, Error>;
using Status = std::expected<void, Error>;

inline std::unexpected<Error> fail(Errc code, std::string message) {
  return std::unexpected<Error>(Error{code, std::move(message)});
}

}  // namespace gw

// GW_TRY(var, expr): evaluates expr (a Result<T>); on error returns it from the enclosing
// function, else moves the value into a new variable `var`.
#define GW_CONCAT_INNER(a, b) a##b
#define GW_CONCAT(a, b) GW_CONCAT_INNER(a, b)
#define GW_TRY(var, expr)                                              \
  auto GW_CONCAT(gw_try_, __LINE__) = (expr);                          \
  if (!GW_CONCAT(gw_try_, __LINE__))                                   \
    return std::unexpected(std::move(GW_CONCAT(gw_try_, __LINE__)).error()); \
  auto var = std::move(*GW_CONCAT(gw_try_, __LINE__))
// GW_CHECK(expr): for Status results.
#define GW_CHECK(expr)                                                 \
  do {                                                                 \
    auto gw_check_r = (expr);                                          \
    if (!gw_check_r) return std::unexpected(std::move(gw_check_r).error()); \
  } while (0)
