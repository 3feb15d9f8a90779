#include "tests/support/gw_cli.hpp"

namespace gw::test {

CliRun run_gw(const Env& env, const std::vector<std::string>& args, std::optional<std::string> stdin_data,
              std::chrono::milliseconds timeout) {
  ProcessOptions po;
  po.argv = {std::string(GW_BINARY_DIR) + "/gw"};
  po.argv.insert(po.argv.end(), args.begin(), args.end());
  po.env = env;
  po.stdin_data = std::move(stdin_data);
  Process p(std::move(po));
  CliRun r;
  if (auto code = p.wait(timeout)) r.code = *code;
  r.out = p.stdout_text();
  r.err = p.stderr_text();
  return r;
}

}  // namespace gw::test
