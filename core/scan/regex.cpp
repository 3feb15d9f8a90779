// Compiling rule regexes once, with the options every rule shares.
#include "core/scan/rule_loader.hpp"

namespace gw::scan {

std::string translate_go_regex(std::string_view p) {
  // Go (since 1.22) accepts (?<name>re) for named groups; RE2 builds older than 2023 only know
  // (?P<name>re). Lookbehind "(?<=" / "(?<!" is invalid in both and left for RE2 to reject.
  std::string out;
  out.reserve(p.size() + 8);
  bool in_class = false;
  for (size_t i = 0; i < p.size(); ++i) {
    char c = p[i];
    if (c == '\\' && i + 1 < p.size()) {
      out.push_back(c);
      out.push_back(p[++i]);
      continue;
    }
    if (in_class) {
      if (c == ']') in_class = false;
      out.push_back(c);
      continue;
    }
    if (c == '[') {
      in_class = true;
      out.push_back(c);
      // A ']' right after '[' or '[^' is a literal member, not the end of the class.
      if (i + 1 < p.size() && p[i + 1] == '^') out.push_back(p[++i]);
      if (i + 1 < p.size() && p[i + 1] == ']') out.push_back(p[++i]);
      continue;
    }
    if (c == '(' && p.substr(i, 3) == "(?<" && i + 3 < p.size() && p[i + 3] != '=' && p[i + 3] != '!') {
      out += "(?P<";
      i += 2;
      continue;
    }
    out.push_back(c);
  }
  return out;
}

Result<std::unique_ptr<RE2>> compile_rule_regex(std::string_view pattern, bool go_syntax) {
  RE2::Options opts;
  opts.set_log_errors(false);
  opts.set_encoding(RE2::Options::EncodingUTF8);
  opts.set_longest_match(false);
  opts.set_max_mem(32 << 20);
  std::string text = go_syntax ? translate_go_regex(pattern) : std::string(pattern);
  auto re = std::make_unique<RE2>(text, opts);
  if (!re->ok()) {
    std::string msg = "invalid regex: " + re->error();
    if (!re->error_arg().empty()) {
      size_t at = text.find(re->error_arg());
      if (at != std::string::npos) msg += " (at character " + std::to_string(at + 1) + ")";
    }
    return fail(Errc::config, msg);
  }
  return re;
}

}  // namespace gw::scan
