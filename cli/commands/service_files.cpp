#include "cli/commands/service_files.hpp"

#include <cstdlib>

namespace gw::cli {

namespace {

// systemd's ExecStart splits on spaces unless the word is quoted.
std::string systemd_word(const std::string& s) {
  if (s.find_first_of(" \t\"\\") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string xml_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

}  // namespace

std::string systemd_unit(const std::string& gw_exe) {
  return "# gw sidecar as a systemd user service (`gw agent install-service` writes and enables it).\n"
         "[Unit]\n"
         "Description=gw sidecar: governance gateway for AI coding agents\n"
         "\n"
         "[Service]\n"
         "Type=simple\n"
         "ExecStart=" + systemd_word(gw_exe) + " agent run --idle-exit 0\n"
         "ExecReload=" + systemd_word(gw_exe) + " agent reload\n"
         "Restart=on-failure\n"
         "RestartSec=5\n"
         "\n"
         "[Install]\n"
         "WantedBy=default.target\n";
}

std::string launchd_plist(const std::string& gw_exe) {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
         "<!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" \"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\n"
         "<!-- gw sidecar as a launchd agent (`gw agent install-service` writes and loads it). -->\n"
         "<plist version=\"1.0\">\n"
         "<dict>\n"
         "  <key>Label</key>\n"
         "  <string>" + std::string(k_launchd_label) + "</string>\n"
         "  <key>ProgramArguments</key>\n"
         "  <array>\n"
         "    <string>" + xml_escape(gw_exe) + "</string>\n"
         "    <string>agent</string>\n"
         "    <string>run</string>\n"
         "    <string>--idle-exit</string>\n"
         "    <string>0</string>\n"
         "  </array>\n"
         "  <key>RunAtLoad</key>\n"
         "  <true/>\n"
         "  <key>KeepAlive</key>\n"
         "  <dict>\n"
         "    <key>SuccessfulExit</key>\n"
         "    <false/>\n"
         "  </dict>\n"
         "  <key>ProcessType</key>\n"
         "  <string>Background</string>\n"
         "</dict>\n"
         "</plist>\n";
}

std::filesystem::path systemd_user_dir() {
  if (const char* x = std::getenv("XDG_CONFIG_HOME"); x && *x == '/') return std::filesystem::path(x) / "systemd" / "user";
  const char* home = std::getenv("HOME");
  if (!home || !*home) return {};
  return std::filesystem::path(home) / ".config" / "systemd" / "user";
}

std::filesystem::path launchd_agents_dir() {
  const char* home = std::getenv("HOME");
  if (!home || !*home) return {};
  return std::filesystem::path(home) / "Library" / "LaunchAgents";
}

}  // namespace gw::cli
