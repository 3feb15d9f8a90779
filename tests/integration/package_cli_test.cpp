// What the installers ship that is generated from the command definitions: docs/cli.md and the
// shell completions, checked with the real binary.
#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

#include "tests/support/process.hpp"

using namespace gw::test;
namespace fs = std::filesystem;

namespace {

std::string run_gw(const Env& env, std::vector<std::string> args, int* code = nullptr) {
  ProcessOptions po;
  po.argv = {std::string(GW_BINARY_DIR) + "/gw"};
  for (auto& a : args) po.argv.push_back(a);
  po.env = env;
  Process p(po);
  auto c = p.wait(std::chrono::seconds(30));
  REQUIRE(c.has_value());
  if (code) *code = *c;
  return p.stdout_text();
}

// Runs a bash script with the completion for gw loaded; returns its stdout.
std::string in_bash(const Env& env, const fs::path& dir, const std::string& script) {
  ProcessOptions po;
  po.argv = {"bash", "-c", "source " + (dir / "gw.bash").string() + "\n" + script};
  po.env = env;
  Process p(po);
  auto c = p.wait(std::chrono::seconds(30));
  REQUIRE(c.has_value());
  CHECK_MESSAGE(*c == 0, p.stderr_text());
  return p.stdout_text();
}

}  // namespace

TEST_CASE("docs/cli.md: the checked-in reference is what `gw help-markdown` prints") {
  TempDir home("gw-docs");
  std::ifstream in(std::string(GW_SOURCE_DIR) + "/docs/cli.md");
  REQUIRE(in);
  std::stringstream ss;
  ss << in.rdbuf();
  auto generated = run_gw(minimal_env(home.path()), {"help-markdown"});
  CHECK_MESSAGE(ss.str() == generated,
                "docs/cli.md is out of date: run `cmake --build build --target docs_cli` and commit docs/cli.md");
}

TEST_CASE("completion: bash completes subcommands and options of the typed path; a bad shell is refused") {
  TempDir home("gw-comp");
  Env env = minimal_env(home.path());
  {
    std::ofstream out(home.path() / "gw.bash");
    out << run_gw(env, {"completion", "bash"});
  }
  auto top = in_bash(env, home.path(), "COMP_WORDS=(gw ''); COMP_CWORD=1; _gw; echo \"${COMPREPLY[*]}\"");
  CHECK(top.find("agent") != std::string::npos);
  CHECK(top.find("keys") != std::string::npos);
  CHECK(top.find("completion") != std::string::npos);
  auto agent = in_bash(env, home.path(), "COMP_WORDS=(gw agent ins); COMP_CWORD=2; _gw; echo \"${COMPREPLY[*]}\"");
  CHECK(agent == "install-service\n");
  auto opts = in_bash(env, home.path(), "COMP_WORDS=(gw agent run --p); COMP_CWORD=3; _gw; echo \"${COMPREPLY[*]}\"");
  CHECK(opts == "--port --policy\n");
  auto launcher = in_bash(env, home.path(), "COMP_WORDS=(gw claude ''); COMP_CWORD=2; _gw; echo \"${#COMPREPLY[@]}\"");
  CHECK(launcher == "0\n");  // the agent's own arguments: left to file completion

  int code = 0;
  run_gw(env, {"completion", "tcsh"}, &code);
  CHECK(code != 0);
}

TEST_CASE("completion: zsh and fish scripts are valid for their shells when those are installed") {
  TempDir home("gw-comp");
  Env env = minimal_env(home.path());
  for (std::string shell : {"zsh", "fish"}) {
    auto text = run_gw(env, {"completion", shell});
    CHECK_FALSE(text.empty());
    auto exe = find_program(shell, env);
    if (!exe) {
      MESSAGE(shell << " is not installed: syntax not checked");
      continue;
    }
    auto file = home.path() / ("gw." + shell);
    std::ofstream(file) << text;
    ProcessOptions po;
    po.argv = {exe->string(), "-n", file.string()};
    po.env = env;
    Process p(po);
    auto c = p.wait(std::chrono::seconds(30));
    REQUIRE(c.has_value());
    CHECK_MESSAGE(*c == 0, p.stderr_text());
  }
}

TEST_CASE("gw(1): docs/gw.1 is what `gw help-man` prints, names every command of docs/cli.md, and man renders it") {
  TempDir home("gw-man");
  Env env = minimal_env(home.path());
  const fs::path page = fs::path(GW_SOURCE_DIR) / "docs" / "gw.1";
  std::ifstream in(page);
  REQUIRE(in);
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string man = ss.str();
  CHECK_MESSAGE(man == run_gw(env, {"help-man"}),
                "docs/gw.1 is out of date: run `cmake --build build --target docs_cli` and commit docs/gw.1");

  // Every command documented in docs/cli.md has its section in the man page.
  std::ifstream md(fs::path(GW_SOURCE_DIR) / "docs" / "cli.md");
  int commands = 0;
  for (std::string line; std::getline(md, line);) {
    if (line.rfind("## gw ", 0) != 0) continue;
    ++commands;
    std::string section = ".SS \"gw " + line.substr(6) + "\"";
    std::string escaped;
    for (char c : section) escaped += c == '-' ? std::string("\\-") : std::string(1, c);
    CHECK_MESSAGE(man.find(escaped) != std::string::npos, "missing in gw.1: " << line);
  }
  CHECK(commands > 10);

  // man(1) renders it with every groff warning on and none raised.
  if (!find_program("man", env)) return;
  ProcessOptions po;
  po.argv = {"man", "--warnings=all", "-l", page.string()};
  po.env = env;
  po.env["MANWIDTH"] = "100";
  po.env["MANPAGER"] = "cat";
  po.env["PAGER"] = "cat";
  Process p(po);
  auto code = p.wait(std::chrono::seconds(30));
  REQUIRE(code.has_value());
  CHECK(*code == 0);
  CHECK_MESSAGE(p.stderr_text().empty(), p.stderr_text());
  const std::string text = p.stdout_text();
  CHECK(text.find("SYNOPSIS") != std::string::npos);
  CHECK(text.find("gw agent install-service") != std::string::npos);
  CHECK(text.find("--help") != std::string::npos);  // \- rendered as a plain hyphen-minus
}

TEST_CASE("help: every command has a description and every option and argument a help text") {
  TempDir home("gw-help");
  std::istringstream md(run_gw(minimal_env(home.path()), {"help-markdown"}));
  std::string command;
  int commands = 0, rows = 0, since_heading = -1;
  for (std::string line; std::getline(md, line);) {
    if (line.rfind("## gw ", 0) == 0) {
      command = line.substr(3);
      ++commands;
      since_heading = 0;
      continue;
    }
    // A heading, a blank line, then the description.
    if (since_heading >= 0 && ++since_heading == 2) {
      CHECK_MESSAGE((!line.empty() && line.rfind("```", 0) != 0), command << " has no description");
      since_heading = -1;
    }
    if (line.rfind("| `", 0) == 0) {
      ++rows;
      size_t first = line.find(" | ");
      size_t second = line.find(" |", first + 3);
      REQUIRE(first != std::string::npos);
      std::string text = line.substr(first + 3, second - first - 3);
      CHECK_MESSAGE(text.find_first_not_of(' ') != std::string::npos, command << ": no help text in " << line);
    }
  }
  CHECK(commands > 10);
  CHECK(rows > 40);
}
