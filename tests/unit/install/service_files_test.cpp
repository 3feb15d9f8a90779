#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

#include "cli/commands/service_files.hpp"

namespace {
std::string read(const std::string& rel) {
  std::ifstream in(std::string(GW_SOURCE_DIR) + "/" + rel);
  REQUIRE_MESSAGE(in, rel);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}
}  // namespace

TEST_CASE("Service files: the packaged systemd unit and launchd plist are what install-service writes") {
  CHECK_MESSAGE(read("installers/systemd/gw-agent.service.in") == gw::cli::systemd_unit("@GW_BIN@"),
                "regenerate with: gw agent install-service --print (binary path replaced by @GW_BIN@)");
  CHECK(read("installers/launchd/dev.gw.agent.plist.in") == gw::cli::launchd_plist("@GW_BIN@"));
}

TEST_CASE("Service files: the unit runs the sidecar without idle exit and restarts it on failure") {
  auto unit = gw::cli::systemd_unit("/usr/bin/gw");
  CHECK(unit.find("ExecStart=/usr/bin/gw agent run --idle-exit 0\n") != std::string::npos);
  CHECK(unit.find("Restart=on-failure") != std::string::npos);
  CHECK(unit.find("WantedBy=default.target") != std::string::npos);
  // A path with a space is quoted, so systemd does not split it.
  CHECK(gw::cli::systemd_unit("/opt/my tools/gw").find("ExecStart=\"/opt/my tools/gw\" agent run") != std::string::npos);
  auto plist = gw::cli::launchd_plist("/opt/homebrew/bin/gw");
  CHECK(plist.find("<string>/opt/homebrew/bin/gw</string>") != std::string::npos);
  CHECK(plist.find("<key>RunAtLoad</key>\n  <true/>") != std::string::npos);
  CHECK(gw::cli::launchd_plist("/a&b/gw").find("/a&amp;b/gw") != std::string::npos);
}
