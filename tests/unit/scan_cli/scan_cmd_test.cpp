#include <doctest/doctest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/commands/scan_cmd.hpp"
#include "tests/support/temp_dir.hpp"

using gw::cli::ScanCommandOptions;

namespace {
struct Run {
  int code;
  std::string out, err;
};
Run run(ScanCommandOptions o, const std::string& stdin_text = "") {
  std::istringstream in(stdin_text);
  std::ostringstream out, err;
  int code = gw::cli::run_scan(o, in, out, err);
  return {code, out.str(), err.str()};
}
}  // namespace

TEST_CASE("gw scan: exit 1 with JSON findings for a secret on stdin, 0 when clean, never the secret") {
  ScanCommandOptions o;
  o.format = "json";
  auto r = run(o, "line1\nexport AWS_KEY=AKIAZ7VRSQ5BXMNKW4HP\n");
  CHECK(r.code == 1);
  auto j = nlohmann::json::parse(r.out);
  REQUIRE(j.size() == 1);
  CHECK(j[0]["rule_id"] == "aws-access-key-id");
  CHECK(j[0]["line"] == 2);
  CHECK(j[0]["column"] == 16);
  CHECK(j[0]["offset"] == 21);
  CHECK(j[0]["file"] == "-");
  CHECK(j[0]["fingerprint"].get<std::string>().size() == 16);
  CHECK(r.out.find("AKIAZ7VRSQ5BXMNKW4HP") == std::string::npos);
  CHECK(run(o, "nothing to see").code == 0);
}

TEST_CASE("gw scan: directories recursively, --as auto on a captured body reports JSON paths, sarif") {
  gw::test::TempDir dir;
  std::filesystem::create_directories(dir.path() / "sub");
  std::ofstream(dir.path() / "sub" / "a.env") << "GITHUB_TOKEN=ghp_Zt8q1Lm3Rx0Vb6Nc2Kd9Wf4Yh7Jp5Sa1Gu3E\n";
  std::ofstream(dir.path() / "clean.txt") << "hello\n";
  ScanCommandOptions o;
  o.format = "json";
  o.inputs = {dir.path().string()};
  auto r = run(o);
  CHECK(r.code == 1);
  auto j = nlohmann::json::parse(r.out);
  REQUIRE(j.size() == 1);
  CHECK(j[0]["file"].get<std::string>().ends_with("sub/a.env"));

  std::string body = R"({"model":"claude","max_tokens":10,"messages":[{"role":"user","content":"x\n\"k\": AKIAZ7VRSQ5BXMNKW4HP"}]})";
  o.inputs = {"-"};
  o.as = "auto";
  r = run(o, body);
  CHECK(r.code == 1);
  j = nlohmann::json::parse(r.out);
  REQUIRE(j.size() == 1);
  CHECK(j[0]["json_path"] == "messages[0].content");
  CHECK(j[0]["line"] == 2);
  CHECK(body.substr(j[0]["offset"].get<size_t>(), j[0]["length"].get<size_t>()) == "AKIAZ7VRSQ5BXMNKW4HP");

  o.format = "sarif";
  r = run(o, body);
  auto s = nlohmann::json::parse(r.out);
  CHECK(s["version"] == "2.1.0");
  CHECK(s["runs"][0]["results"][0]["ruleId"] == "aws-access-key-id");

  o.as = "anthropic";
  CHECK(run(o, "{not json").code == 2);
  o.inputs = {(dir.path() / "missing").string()};
  CHECK(run(o).code == 2);
}

TEST_CASE("gw scan: --rules with a gitleaks file replaces the built-in rules") {
  gw::test::TempDir dir;
  auto rules = dir.path() / "gl.toml";
  std::ofstream(rules) << "[[rules]]\nid = \"internal-token\"\nregex = '''itk_[a-z0-9]{12}'''\nkeywords = [\"itk_\"]\n";
  ScanCommandOptions o;
  o.format = "json";
  o.rule_files = {rules.string()};
  auto r = run(o, "x itk_abcdef123456 AKIAZ7VRSQ5BXMNKW4HP");
  CHECK(r.code == 1);
  auto j = nlohmann::json::parse(r.out);
  REQUIRE(j.size() == 1);
  CHECK(j[0]["rule_id"] == "internal-token");
  o.builtin = true;
  CHECK(nlohmann::json::parse(run(o, "x itk_abcdef123456 AKIAZ7VRSQ5BXMNKW4HP").out).size() == 2);
}
