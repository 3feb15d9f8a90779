#pragma once
// Server side of the local control API (protocol in control_client.hpp). The socket file is
// created 0600 inside the private run dir, so only the user can mint sessions or stop the sidecar.
#include <atomic>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <thread>

#include "core/common/result.hpp"

namespace gw::agent {

class ControlServer {
public:
  using Handler = std::function<nlohmann::json(const nlohmann::json& request)>;
  ControlServer(std::filesystem::path socket_path, Handler handler);
  ~ControlServer();
  // Binds (replacing a stale socket file nobody answers on) and serves on a background thread.
  Status start();
  void stop();

private:
  void serve();
  void handle_client(int fd);
  std::filesystem::path m_path;
  Handler m_handler;
  int m_fd = -1;
  int m_wake[2] = {-1, -1};
  std::thread m_thread;
};

}  // namespace gw::agent
