#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

#include "cli/commands/cli_docs.hpp"

using namespace gw::cli;

namespace {
// Fills `app` with a small command tree.
void sample(CLI::App& app) {
  auto* a = app.add_subcommand("agent", "Run the agent. More words here");
  auto* run = a->add_subcommand("run", "Run it now");
  static int port = 7;
  static bool quiet = false;
  static std::string name;
  run->add_option("--port", port, "Port | number")->capture_default_str();
  run->add_flag("-q,--quiet", quiet, "Say less");
  auto* keys = app.add_subcommand("keys", "Keys");
  keys->add_option("NAME", name, "Item name")->required();
  app.add_subcommand("secret", "Hidden")->group("");
}
}  // namespace

TEST_CASE("CLI docs: the tree has every visible command, option and positional, hidden ones left out") {
  CLI::App app{"tool: does things", "tool"};
  sample(app);
  auto doc = describe(app);
  REQUIRE(doc.subcommands.size() == 2);
  const auto& run = doc.subcommands[0].subcommands.at(0);
  CHECK(run.joined() == "agent run");
  bool saw_port = false, saw_quiet = false;
  for (const auto& o : run.options) {
    if (o.names == std::vector<std::string>{"--port"}) saw_port = o.takes_value && o.default_value == "7";
    if (o.names == std::vector<std::string>{"-q", "--quiet"}) saw_quiet = !o.takes_value;
  }
  CHECK(saw_port);
  CHECK(saw_quiet);
  REQUIRE(doc.subcommands[1].positionals.size() == 1);
  CHECK(doc.subcommands[1].positionals[0].positional_name == "NAME");
  CHECK(doc.subcommands[1].positionals[0].required);
}

TEST_CASE("CLI docs: markdown has a section per command with escaped tables") {
  CLI::App app{"tool: does things", "tool"};
  sample(app);
  auto md = markdown_reference(describe(app));
  CHECK(md.find("## gw agent run\n") != std::string::npos);
  CHECK(md.find("Port \\| number") != std::string::npos);
  CHECK(md.find("[`gw agent run`](#gw-agent-run)") != std::string::npos);
  CHECK(md.find("gw keys [OPTIONS] NAME") != std::string::npos);
  CHECK(md.find("secret") == std::string::npos);
}

TEST_CASE("Completions: bash, zsh and fish offer subcommands and options of the typed path") {
  CLI::App app{"tool: does things", "tool"};
  sample(app);
  auto doc = describe(app);
  auto bash = bash_completion(doc);
  CHECK(bash.find("'agent/run') words='-h --help --port -q --quiet'") != std::string::npos);
  CHECK(bash.find("complete -o default -F _gw gw") != std::string::npos);
  auto zsh = zsh_completion(doc);
  CHECK(zsh.find("#compdef gw") == 0);
  CHECK(zsh.find("'run:Run it now'") != std::string::npos);
  CHECK(zsh.find("'agent:Run the agent'") != std::string::npos);  // first sentence only
  auto fish = fish_completion(doc);
  CHECK(fish.find("complete -c gw -f -n '__fish_use_subcommand' -a agent -d 'Run the agent'") != std::string::npos);
  CHECK(fish.find("complete -c gw -n '__fish_seen_subcommand_from agent; and __fish_seen_subcommand_from run' -l port -r") !=
        std::string::npos);
  CHECK(fish.find("-s q -l quiet -d 'Say less'") != std::string::npos);
}
