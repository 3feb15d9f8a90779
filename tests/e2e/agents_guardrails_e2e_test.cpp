// Guardrails with the real agents: a working directory holds a file with a planted AWS access key
// and secret key; the fake provider scripts a tool call that reads it (Claude Code `Read`, Codex
// `exec_command` with `cat`, Gemini CLI `read_file`), then a final text. The agent runs the tool
// locally and sends the file back as a tool result, through the sidecar's scan stage. What the
// fake recorded is the ground truth:
//  - redact: the tool result reaching the fake holds the placeholders, never the secrets, and the
//    agent finishes (exit 0);
//  - block: the request carrying the secrets never reaches the fake, the agent shows gw's message
//    naming the rule, and does not retry it (gw's own counters: one blocked request, every other
//    request the agent made reached the fake).
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include "tests/e2e/e2e_home.hpp"

namespace fs = std::filesystem;
using gw::e2e::E2eHome;
using nlohmann::json;

namespace {

// Not AWS's documented example keys (those are allowlisted by some rule sets).
const std::string k_access_key = "AKIAZ7VRSQ5BXMNKW4HP";
const std::string k_secret_key = "wJalrXUtnFEMIK7MDENGbPxRfiCYz9Q2kLm4NvTa";
const std::string k_final_text = "I read the credentials file.";
constexpr std::chrono::seconds k_timeout{120};

struct Agent {
  const char* name;  // for messages
  const char* api;   // the fake's api name
  std::vector<std::string> argv;
  json tool_call;    // the fault that makes the model call the agent's file-reading tool
  const char* main_path = "";  // only model requests whose path contains this are scripted
};

Agent claude(const fs::path& file) {
  return {"Claude Code", "anthropic", {"claude", "-p", "read creds.txt"},
          {{"mode", "tool_call"}, {"tool", "Read"}, {"input", {{"file_path", file.string()}}}}};
}

Agent codex() {
  return {"Codex", "openai",
          {"codex", "exec", "--skip-git-repo-check", "--ephemeral", "-s", "read-only", "read creds.txt"},
          {{"mode", "tool_call"}, {"tool", "exec_command"}, {"input", {{"cmd", "cat creds.txt"}}}}};
}

Agent gemini() {
  // Gemini CLI first asks a router model (generateContent); the conversation is the stream call.
  return {"Gemini CLI", "gemini", {"gemini", "-p", "read creds.txt"},
          {{"mode", "tool_call"}, {"tool", "read_file"}, {"input", {{"file_path", "creds.txt"}}}},
          "streamGenerateContent"};
}

bool agents_installed() {
  fs::path bin = gw::e2e::agents_bin_dir();
  for (const char* a : {"claude", "codex", "gemini"})
    if (!fs::exists(bin / a)) return false;
  return true;
}

#define SKIP_WITHOUT_AGENTS()                                                                    \
  if (!agents_installed()) {                                                                     \
    MESSAGE("skipped: the real agents are not installed in " << gw::e2e::agents_bin_dir().string() \
                                                             << " (run tests/setup_agents.sh or set GW_AGENTS_DIR)"); \
    return;                                                                                      \
  }

// Plants the credentials file, turns guardrails on with `action` for secrets, and scripts the
// tool call and the final text for the agent's API.
fs::path plant_and_script(E2eHome& w, const std::string& action, Agent& agent) {
  fs::path file = w.home() / "work" / "creds.txt";
  std::ofstream(file) << "[default]\naws_access_key_id = " << k_access_key
                      << "\naws_secret_access_key = " << k_secret_key << "\nregion = eu-west-1\n";
  std::ofstream(w.home() / "config" / "policy.toml", std::ios::app)
      << "[guardrails.actions]\ncategories = { secret = \"" << action << "\" }\n";
  if (agent.tool_call["input"].contains("file_path") && std::string(agent.api) == "anthropic")
    agent.tool_call["input"]["file_path"] = file.string();  // Claude's Read takes an absolute path
  json call = agent.tool_call, text = {{"mode", "text"}, {"text", k_final_text}};
  for (json* f : {&call, &text}) {
    (*f)["api"] = agent.api;
    if (*agent.main_path) (*f)["path_contains"] = agent.main_path;
  }
  w.fake().control(call);
  w.fake().control(text);
  return file;
}

bool holds_secret(const std::string& s) {
  return s.find(k_access_key) != std::string::npos || s.find(k_secret_key) != std::string::npos;
}

json gw_status(E2eHome& w) {
  auto r = w.gw({"status", "--json"}, std::chrono::seconds(30));
  REQUIRE_MESSAGE(r.exit_code == 0, r.describe());
  json s = json::parse(r.out, nullptr, false);
  REQUIRE_MESSAGE(s.is_object(), r.describe());
  return s;
}

void check_redacted(Agent agent) {
  E2eHome w;
  plant_and_script(w, "redact", agent);
  auto r = w.gw(agent.argv, k_timeout);
  CAPTURE(agent.name);
  REQUIRE_MESSAGE(r.exit_code == 0, r.describe());
  CHECK_MESSAGE(r.out.find(k_final_text) != std::string::npos, r.describe());

  auto reqs = w.model_requests(agent.api);
  bool placeholders = false;
  for (const json& req : reqs) {
    std::string body = req["body"].dump();
    CHECK_MESSAGE(!holds_secret(body), agent.name << ": a request reached the fake with the secret");
    if (body.find("[REDACTED:aws-access-key-id:") != std::string::npos &&
        body.find("[REDACTED:aws-secret-access-key:") != std::string::npos)
      placeholders = true;
  }
  CHECK_MESSAGE(placeholders, agent.name << ": no tool result with the placeholders reached the fake");
  for (const json& req : w.fake().requests()) CHECK_FALSE(holds_secret(req.dump()));

  json g = gw_status(w)["guardrails"]["counters"];
  CHECK(g["requests"]["redacted"].get<int>() >= 1);
  CHECK(g["requests"]["blocked"] == 0);
}

void check_blocked(Agent agent) {
  E2eHome w;
  plant_and_script(w, "block", agent);
  auto r = w.gw(agent.argv, k_timeout);
  CAPTURE(agent.name);
  CHECK_MESSAGE(r.exit_code != 0, r.describe());  // the turn could not complete
  std::string shown = r.out + r.err;
  size_t at = shown.find("gw blocked this request");
  REQUIRE_MESSAGE(at != std::string::npos, r.describe());
  std::string line = shown.substr(at, shown.find('\n', at) - at);
  CHECK_MESSAGE(line.find("aws-access-key-id") != std::string::npos, r.describe());
  CHECK_MESSAGE(line.find("aws-secret-access-key") != std::string::npos, r.describe());
  CHECK_FALSE(holds_secret(line));

  // Nothing with the secret reached the fake; the tool-call turn did.
  auto reqs = w.model_requests(agent.api);
  for (const json& req : w.fake().requests()) CHECK_FALSE(holds_secret(req.dump()));
  CHECK_MESSAGE(!reqs.empty(), agent.name << ": the first turn never reached the fake");

  // No retry storm: exactly one request was refused; every other one the agent sent reached the fake.
  json s = gw_status(w);
  json g = s["guardrails"]["counters"];
  CHECK(g["requests"]["blocked"] == 1);
  CHECK(g["findings"]["block"] == 2);
  json total = s["stats"]["total"];
  CHECK(total["denied"] == 1);
  CHECK(total["requests"].get<size_t>() == reqs.size() + 1);
}

}  // namespace

TEST_CASE("e2e guardrails: Claude Code reads a file with AWS keys; redact -> the provider sees placeholders") {
  SKIP_WITHOUT_AGENTS();
  check_redacted(claude({}));
}

TEST_CASE("e2e guardrails: Claude Code reads a file with AWS keys; block -> refused once, named, never forwarded") {
  SKIP_WITHOUT_AGENTS();
  check_blocked(claude({}));
}

TEST_CASE("e2e guardrails: Codex cats a file with AWS keys; redact -> the provider sees placeholders") {
  SKIP_WITHOUT_AGENTS();
  check_redacted(codex());
}

TEST_CASE("e2e guardrails: Codex cats a file with AWS keys; block -> refused once, named, never forwarded") {
  SKIP_WITHOUT_AGENTS();
  check_blocked(codex());
}

TEST_CASE("e2e guardrails: Gemini CLI reads a file with AWS keys; redact -> the provider sees placeholders") {
  SKIP_WITHOUT_AGENTS();
  check_redacted(gemini());
}

TEST_CASE("e2e guardrails: Gemini CLI reads a file with AWS keys; block -> refused once, named, never forwarded") {
  SKIP_WITHOUT_AGENTS();
  check_blocked(gemini());
}
