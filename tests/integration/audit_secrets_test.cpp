// Secrets along the whole audit trail: planted AWS credentials go through a real `gw agent`
// (guardrails alert or redact, audit content logging on or off) enrolled with a real `gw serve`
// that exports to JSONL, OCSF and ECS files. Afterwards the secret values are nowhere: not in the
// sidecar's state dir (spool), its output, `gw audit export`, the central's store, its SIEM files
// or its output; their fingerprints and rule ids are, so the trail did record the findings.
#include <doctest/doctest.h>
#include <poll.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "core/common/crypto.hpp"
#include "tests/integration/audit_central.hpp"

using namespace gw;
using namespace gw::test;
using namespace gw::test::audit;
using namespace std::chrono_literals;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

const std::string k_aws_id = "AKIAZ7VRSQ5BXMNKW4HQ";
const std::string k_aws_secret = "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";

// The fingerprint guardrails record for a match of rule_id (docs/scanning.md).
std::string finding_fingerprint(const std::string& rule_id, const std::string& secret) {
  return sha256_hex(rule_id + std::string(1, '\0') + secret).substr(0, 16);
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

size_t line_count(const fs::path& p) {
  std::string s = slurp(p);
  return static_cast<size_t>(std::count(s.begin(), s.end(), '\n'));
}

// Waits until `p` holds at least n lines: the file is written by another process, so this
// blocks on inotify events of its directory (bounded by timeout).
bool wait_for_lines(const fs::path& p, size_t n, std::chrono::milliseconds timeout) {
  int fd = ::inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
  REQUIRE(fd >= 0);
  fs::create_directories(p.parent_path());
  ::inotify_add_watch(fd, p.parent_path().c_str(), IN_MODIFY | IN_CREATE | IN_MOVED_TO | IN_CLOSE_WRITE);
  auto deadline = std::chrono::steady_clock::now() + timeout;
  bool ok = false;
  for (;;) {
    if (line_count(p) >= n) {
      ok = true;
      break;
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    pollfd pf{fd, POLLIN, 0};
    if (::poll(&pf, 1, static_cast<int>(left.count())) > 0) {
      char buf[4096];
      while (::read(fd, buf, sizeof buf) > 0) {
      }
    }
  }
  ::close(fd);
  return ok;
}

// Every regular file under dir whose bytes contain needle; `files` counts the files read.
std::vector<std::string> files_containing(const fs::path& dir, const std::string& needle, size_t& files) {
  std::vector<std::string> hits;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::end(it); it.increment(ec)) {
    if (!it->is_regular_file(ec)) continue;
    ++files;
    std::string text = slurp(it->path());
    if (size_t at = text.find(needle); at != std::string::npos)  // with what precedes it, to locate the leak
      hits.push_back(it->path().string() + ": ..." + text.substr(at > 120 ? at - 120 : 0, std::min<size_t>(at, 120)));
  }
  return hits;
}

std::string creds() {
  return "[default]\naws_access_key_id = " + k_aws_id + "\naws_secret_access_key = " + k_aws_secret + "\n";
}

json anthropic_tool_result(bool stream) {
  return {{"model", "claude-haiku-4-5"},
          {"max_tokens", 100},
          {"stream", stream},
          {"messages",
           {{{"role", "user"}, {"content", "read ~/.aws/credentials"}},
            {{"role", "assistant"},
             {"content", {{{"type", "tool_use"}, {"id", "t1"}, {"name", "Read"}, {"input", {{"file_path", "c"}}}}}}},
            {{"role", "user"}, {"content", {{{"type", "tool_result"}, {"tool_use_id", "t1"}, {"content", creds()}}}}}}}};
}

void run_scenario(const std::string& guardrails, bool log_content) {
  FakeProvider fake;
  Central central("[[siem]]\nname = \"jsonl\"\ntype = \"file\"\ndestination = \"siem/audit.jsonl\"\n"
                  "[[siem]]\nname = \"ocsf\"\ntype = \"file\"\nformat = \"ocsf\"\ndestination = \"siem/ocsf.jsonl\"\n"
                  "[[siem]]\nname = \"ecs\"\ntype = \"file\"\nformat = \"ecs\"\ndestination = \"siem/ecs.jsonl\"\n");
  AuditHome home(test_policy(fake.base_url()) + guardrails + "[audit]\nlog_content = " +
                 (log_content ? "true" : "false") + "\n");
  central.enroll(home.paths().config_dir);
  home.start();
  std::string token = home.mint();
  auto cli = make_client(home.base_url());
  httplib::Headers anthropic = {{"x-api-key", token}, {"anthropic-version", "2023-06-01"}};
  // Requests carrying the secrets in a tool result (JSON and streamed), a tool call's arguments
  // (OpenAI Responses, Gemini), count_tokens, and a body that is not JSON. Content logging can
  // only redact what the guardrail rules detect, so the secrets are planted in detected forms
  // (`aws configure set aws_secret_access_key VALUE` is not one yet: docs/audit.md).
  CHECK(post_streaming(cli, "/v1/messages", anthropic_tool_result(false).dump(), anthropic).status == 200);
  CHECK(post_streaming(cli, "/v1/messages", anthropic_tool_result(true).dump(), anthropic).status == 200);
  json openai = {{"model", "gpt-5"},
                 {"input",
                  {{{"type", "message"}, {"role", "user"}, {"content", "configure"}},
                   {{"type", "function_call"}, {"call_id", "c1"}, {"name", "shell"},
                    {"arguments", json({{"command", "export AWS_SECRET_ACCESS_KEY=" + k_aws_secret}}).dump()}}}}};
  CHECK(post_streaming(cli, "/v1/responses", openai.dump(), {{"Authorization", "Bearer " + token}}).status == 200);
  json gemini = {{"contents",
                  {{{"role", "user"}, {"parts", {{{"text", "export " + k_aws_id}}}}}}}};
  CHECK(post_streaming(cli, "/v1beta/models/gemini-2.5-pro:generateContent", gemini.dump(),
                       {{"x-goog-api-key", token}}).status == 200);
  post_streaming(cli, "/v1/messages/count_tokens", anthropic_tool_result(false).dump(), anthropic);
  post_streaming(cli, "/v1/messages", "{\"model\": \"m\", \"messages\": [" + creds(), anthropic);
  // The model answers with the secrets.
  fake.control({{"mode", "text"}, {"text", "Here: " + k_aws_id + " / " + k_aws_secret + " done."}, {"count", 2}});
  CHECK(post_streaming(cli, "/v1/messages", anthropic_tool_result(true).dump(), anthropic).ok);
  CHECK(post_streaming(cli, "/v1/messages", anthropic_tool_result(false).dump(), anthropic).ok);

  auto shipped = central_wait(home.paths(), 60s);
  REQUIRE_MESSAGE(shipped.value("ok", false), shipped.dump());
  // Local exports in every format, while the sidecar's home is there.
  std::string local;
  for (const char* format : {"jsonl", "ocsf", "ecs"}) {
    auto [code, out] = home.gw({"audit", "export", "--format", format});
    CHECK(code == 0);
    local += out;
  }
  local += home.gw({"audit", "tail"}).second;
  home.stop();

  // The central's SIEM files catch up with its store (one line per event).
  size_t feed = central.open_store()->read_after(0, 1'000'000)->size();
  REQUIRE(feed >= 12);
  for (const char* f : {"audit.jsonl", "ocsf.jsonl", "ecs.jsonl"})
    REQUIRE_MESSAGE(wait_for_lines(central.dir() / "siem" / f, feed, 30s), f);
  central.stop();

  std::string central_out = central.process().stdout_text() + central.process().stderr_text();
  for (const std::string& secret : {k_aws_id, k_aws_secret}) {
    size_t files = 0;
    for (const auto& h : files_containing(home.paths().state_dir, secret, files))
      FAIL_CHECK("a planted secret is stored on the device in " << h);
    for (const auto& h : files_containing(central.dir(), secret, files))
      FAIL_CHECK("a planted secret is stored by the central in " << h);
    CHECK(files >= 10);
    CHECK_MESSAGE(home.process_output_free_of(secret), "a planted secret is in the sidecar's output");
    CHECK_MESSAGE(central_out.find(secret) == std::string::npos, "a planted secret is in gw serve's output");
    CHECK_MESSAGE(local.find(secret) == std::string::npos, "a planted secret is in gw audit export/tail");
  }
  // What the trail did record: the rule and the fingerprint, in the store and every export.
  std::string jsonl = slurp(central.dir() / "siem" / "audit.jsonl");
  CHECK(jsonl.find("aws-access-key-id") != std::string::npos);
  CHECK(jsonl.find(finding_fingerprint("aws-access-key-id", k_aws_id)) != std::string::npos);
  CHECK(slurp(central.dir() / "siem" / "ocsf.jsonl").find("aws-access-key-id") != std::string::npos);
  CHECK(local.find(finding_fingerprint("aws-access-key-id", k_aws_id)) != std::string::npos);
  if (log_content) CHECK(jsonl.find("[REDACTED:aws-access-key-id:") != std::string::npos);
  check_central_matches_spool(central, home.spool_dir());
}

}  // namespace

TEST_CASE("audit secrets: planted secrets never reach the spool, the central store, SIEM exports or any log") {
  SUBCASE("alert, content logging on") { run_scenario("[guardrails]\non_unscannable = \"forward\"\n", true); }
  SUBCASE("alert, content logging off") { run_scenario("[guardrails]\non_unscannable = \"forward\"\n", false); }
  SUBCASE("redact, content logging on") {
    run_scenario("[guardrails.actions]\ncategories = { secret = \"redact\" }\n[guardrails.responses]\naction = \"redact\"\n",
                 true);
  }
}
