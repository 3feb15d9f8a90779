#pragma once
// Socket helpers for the load generator: URL resolution, non-blocking connect, a free-port probe.
#include <sys/socket.h>

#include <string>

#include "core/common/result.hpp"

namespace gw::bench {

struct Target {
  sockaddr_storage addr{};
  socklen_t addr_len = 0;
  std::string host_header;  // "host:port" as given in the URL
  std::string path;         // path and query, "/" when the URL has none
};

// Parses `http://host[:port][/path]` and resolves host once. Only plain HTTP is supported.
Result<Target> resolve_target(const std::string& url);

// Starts a non-blocking TCP connect with TCP_NODELAY. Returns the socket (the connect may still be
// in progress: wait for writability and check SO_ERROR with connect_error()), or -1 with errno set.
int start_connect(const Target& t);

// 0 when the connect of `fd` completed, else the errno it failed with.
int connect_error(int fd);

// Binds 127.0.0.1:0, reads the port the kernel picked and releases it. Used by bench/run for
// servers that cannot bind port 0 themselves (nginx); another process may take the port before
// the caller binds it, which a benchmark on a quiet loopback accepts.
Result<int> pick_free_port();

}  // namespace gw::bench
