// gw keys with the real binary: keys stored by the CLI reach the provider through the sidecar;
// the file fallback's permissions and warnings as a user sees them.
#include <doctest/doctest.h>

#include <filesystem>

#include "core/common/crypto.hpp"
#include "tests/support/process.hpp"
#include "tests/support/sidecar.hpp"

using namespace gw::test;
namespace fs = std::filesystem;

namespace {

struct Run {
  int code = -1;
  std::string out, err;
};

Run run_gw(const Env& env, std::vector<std::string> args, std::optional<std::string> stdin_data = std::nullopt) {
  ProcessOptions po;
  po.argv = {std::string(GW_BINARY_DIR) + "/gw"};
  for (auto& a : args) po.argv.push_back(a);
  po.env = env;
  po.stdin_data = std::move(stdin_data);
  Process p(po);
  auto code = p.wait(std::chrono::seconds(30));
  REQUIRE(code.has_value());
  return {*code, p.stdout_text(), p.stderr_text()};
}

std::string header(const nlohmann::json& req, const std::string& name) {
  for (const auto& h : req["headers"]) {
    std::string n = h[0];
    for (auto& c : n) c = static_cast<char>(std::tolower(c));
    if (n == name) return h[1];
  }
  return "";
}

const std::string k_body = R"({"model":"claude-haiku-4-5","max_tokens":10,"messages":[{"role":"user","content":"hi"}]})";

}  // namespace

TEST_CASE("gw keys: a key stored with `gw keys set` is what the sidecar sends to the provider") {
  const std::string stored = "sk-ant-api03-STORED-by-gw-keys";
  FakeProvider fake({.expect_keys = {"anthropic=" + stored}});
  // No ANTHROPIC_API_KEY in the sidecar's environment: the key must come from the store.
  Sidecar gw(fake, {.extra_env = {{"ANTHROPIC_API_KEY", ""}, {"GW_SECRET_BACKEND", "file"}}});
  auto token = gw.mint();
  auto cli = gw.client();
  httplib::Headers h = {{"Authorization", "Bearer " + token}, {"anthropic-version", "2023-06-01"}};

  auto before = cli.Post("/anthropic/v1/messages", h, k_body, "application/json");
  REQUIRE(before);
  CHECK(before->status == 400);  // the forward stage refuses without a key (in the provider's error shape)
  CHECK(before->body.find("gw keys set anthropic") != std::string::npos);

  auto set = run_gw(gw.env(), {"keys", "set", "anthropic"}, stored + "\n");
  CHECK(set.code == 0);
  CHECK(set.out.find("stored key 'anthropic'") != std::string::npos);
  CHECK(set.out.find(stored) == std::string::npos);
  CHECK(set.err.find("plain file") != std::string::npos);  // the fallback warns

  auto after = cli.Post("/anthropic/v1/messages", h, k_body, "application/json");
  REQUIRE(after);
  CHECK(after->status == 200);
  auto reqs = fake.requests();
  REQUIRE_FALSE(reqs.empty());
  CHECK(header(reqs.back(), "x-api-key") == stored);

  auto list = run_gw(gw.env(), {"keys", "list"});
  CHECK(list.code == 0);
  CHECK(list.out.find("anthropic") != std::string::npos);
  CHECK(list.out.find(stored) == std::string::npos);
  CHECK(list.out.find(gw::fingerprint(stored)) != std::string::npos);
}

TEST_CASE("gw keys: the file fallback refuses a credential file others can read, and `gw status` warns") {
  TempDir home("gw-keys");
  Env env = minimal_env(home.path());
  env["GW_CONFIG_DIR"] = (home.path() / "config").string();
  env["GW_STATE_DIR"] = (home.path() / "state").string();
  env["GW_SECRET_BACKEND"] = "file";
  REQUIRE(run_gw(env, {"keys", "set", "openai"}, "sk-proj-x").code == 0);
  auto file = home.path() / "state" / "secrets" / "credentials.json";
  REQUIRE(fs::exists(file));
  auto file_mode = fs::status(file).permissions() & fs::perms::all;
  auto dir_mode = fs::status(file.parent_path()).permissions() & fs::perms::all;
  CHECK(file_mode == (fs::perms::owner_read | fs::perms::owner_write));
  CHECK(dir_mode == fs::perms::owner_all);

  auto status = run_gw(env, {"status"});
  CHECK(status.err.find("warning: provider keys and the device key are kept in a plain file") != std::string::npos);

  fs::permissions(file, fs::perms::group_read, fs::perm_options::add);
  auto list = run_gw(env, {"keys", "list"});
  CHECK(list.code == 1);
  CHECK(list.err.find("chmod 600") != std::string::npos);

  auto rm = run_gw(env, {"keys", "rm", "nothing-here"});
  CHECK(rm.code == 1);
}

TEST_CASE("gw keys: input errors say what to do") {
  TempDir home("gw-keys");
  Env env = minimal_env(home.path());
  env["GW_STATE_DIR"] = (home.path() / "state").string();
  env["GW_SECRET_BACKEND"] = "file";
  auto empty = run_gw(env, {"keys", "set", "anthropic"}, "");
  CHECK(empty.code == 1);
  CHECK(empty.err.find("pipe it") != std::string::npos);
  auto internal = run_gw(env, {"keys", "set", "gw.device-key"}, "x");
  CHECK(internal.code == 1);
  auto bad = run_gw(env, {"keys", "set", "my key"}, "x");
  CHECK(bad.code == 1);
  CHECK(bad.err.find("letters, digits") != std::string::npos);
  env["GW_SECRET_BACKEND"] = "vault";
  auto backend = run_gw(env, {"keys", "list"});
  CHECK(backend.code == 1);
  CHECK(backend.err.find("GW_SECRET_BACKEND") != std::string::npos);
}
