#pragma once
// The command tree as plain data, read from the CLI11 definitions, and what is generated from it:
// docs/cli.md (`gw help-markdown`), the man page gw(1) (`gw help-man`, docs/gw.1) and the bash,
// zsh and fish completions (`gw completion`).
// One source of truth: a new subcommand or option appears in all of them without other edits.
#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace gw::cli {

struct OptionDoc {
  std::vector<std::string> names;  // "-p", "--port"; empty for a positional
  std::string positional_name;     // "PROVIDER" for a positional
  std::string description;
  std::string default_value;       // "" when none was captured
  std::string value_name;          // "INT", "TEXT"... for an option taking a value
  bool takes_value = false;
  bool required = false;
};

struct CommandDoc {
  std::vector<std::string> path;  // {"agent", "run"}; empty for gw itself
  std::string description;
  std::string footer;
  std::vector<OptionDoc> options;      // named options and flags, in definition order
  std::vector<OptionDoc> positionals;
  std::vector<CommandDoc> subcommands; // visible ones (hidden: CLI11 group "")

  std::string joined(char sep = ' ') const;  // "agent run"
};

// Reads the tree below `app` (help flags included).
CommandDoc describe(const CLI::App& app);

std::string markdown_reference(const CommandDoc& root);
// gw(1) in man(7) roff; no date or version inside, so the checked-in docs/gw.1 stays stable.
std::string man_page(const CommandDoc& root);
std::string bash_completion(const CommandDoc& root);
std::string zsh_completion(const CommandDoc& root);
std::string fish_completion(const CommandDoc& root);

}  // namespace gw::cli
