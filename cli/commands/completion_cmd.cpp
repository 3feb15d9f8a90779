// gw completion bash|zsh|fish, gw help-markdown and gw help-man: generated from the command definitions.
#include <iostream>

#include "cli/commands/cli_docs.hpp"
#include "cli/commands/cli_util.hpp"
#include "cli/commands/commands.hpp"

namespace gw::cli {

void add_completion_command(CLI::App& app, CommandContext& ctx) {
  auto shell = std::make_shared<std::string>();
  auto* cmd = app.add_subcommand("completion", "Print a shell completion script (bash, zsh or fish)");
  cmd->add_option("SHELL", *shell, "bash, zsh or fish")->required()->check(CLI::IsMember({"bash", "zsh", "fish"}));
  cmd->footer("Install: gw completion bash > ~/.local/share/bash-completion/completions/gw; "
              "gw completion zsh > \"${fpath[1]}/_gw\"; gw completion fish > ~/.config/fish/completions/gw.fish. "
              "The .deb and install.sh install them for you.");
  CLI::App* root = &app;
  cmd->callback([&ctx, shell, root] {
    auto doc = describe(*root);
    if (*shell == "bash") std::cout << bash_completion(doc);
    else if (*shell == "zsh") std::cout << zsh_completion(doc);
    else std::cout << fish_completion(doc);
    ctx.exit_code = 0;
  });

  // Hidden (empty group): regenerates docs/cli.md, which a test keeps equal to this output.
  auto* md = app.add_subcommand("help-markdown", "Print the command reference (docs/cli.md) as Markdown");
  md->group("");
  md->callback([&ctx, root] {
    std::cout << markdown_reference(describe(*root));
    ctx.exit_code = 0;
  });
  // Hidden too: the man page (docs/gw.1, installed as man1/gw.1); a test keeps it current.
  auto* man = app.add_subcommand("help-man", "Print the man page gw(1) (roff)");
  man->group("");
  man->callback([&ctx, root] {
    std::cout << man_page(describe(*root));
    ctx.exit_code = 0;
  });
}

}  // namespace gw::cli
