#include <doctest/doctest.h>

#include <set>

#include "core/scan/rule_loader.hpp"
#include "core/scan/scanner.hpp"

using namespace gw::scan;

namespace {
std::shared_ptr<const Scanner> builtin_scanner() {
  static std::shared_ptr<const Scanner> s = [] {
    auto rules = builtin_rules();
    REQUIRE_MESSAGE(rules.has_value(), (rules ? "" : rules.error().message));
    auto sc = Scanner::create({*rules});
    REQUIRE(sc.has_value());
    return *sc;
  }();
  return s;
}
bool has_rule(const std::vector<Finding>& fs, const std::string& id) {
  for (const auto& f : fs)
    if (f.rule_id == id) return true;
  return false;
}
}  // namespace

TEST_CASE("builtin rules: load, cover well over a hundred credential types, every rule tested") {
  auto s = builtin_scanner();
  size_t secrets = 0, pii = 0;
  std::set<std::string> ids;
  for (const auto& r : s->rules()) {
    CAPTURE(r->id);
    CHECK(ids.insert(r->id).second);
    CHECK_FALSE(r->description.empty());
    CHECK_FALSE(r->examples.empty());
    CHECK_FALSE(r->negatives.empty());
    (r->category == Category::pii ? pii : secrets)++;
  }
  CHECK(secrets >= 150);
  CHECK(pii >= 7);
}

TEST_CASE("builtin rules: compiled on first use, and every pattern compiles with a valid secret group") {
  auto rules = builtin_rules();
  REQUIRE(rules.has_value());
  for (const auto& r : rules->rules) {
    CAPTURE(r->id);
    // Deferred: nothing is compiled when the rules load (idle memory of the sidecar).
    CHECK(r->regex == nullptr);
    CHECK(r->has_regex());
    auto strict = compile_rule_regex(r->pattern(), false);  // what a policy file would get
    REQUIRE_MESSAGE(strict.has_value(), (strict ? "" : strict.error().message));
    const RE2* re = r->compiled();
    REQUIRE(re != nullptr);
    CHECK(re == r->compiled());  // once
    CHECK(re->pattern() == (*strict)->pattern());
    CHECK(r->secret_group >= 0);
    CHECK(r->secret_group <= re->NumberOfCapturingGroups());
  }
}

TEST_CASE("builtin rules: each rule finds its examples and not its negatives") {
  auto s = builtin_scanner();
  for (const auto& r : s->rules()) {
    for (const auto& ex : r->examples) {
      CAPTURE(r->id);
      CAPTURE(ex);
      auto fs = s->scan(ex);
      CHECK(has_rule(fs, r->id));
      // Embedded in JSON-ish surroundings and prose, still found.
      CHECK(has_rule(s->scan("some text before\n" + ex + "\nand after"), r->id));
    }
    for (const auto& neg : r->negatives) {
      CAPTURE(r->id);
      CAPTURE(neg);
      CHECK_FALSE(has_rule(s->scan(neg), r->id));
    }
  }
}

TEST_CASE("builtin rules: ordinary source code and shell output raise no secret findings") {
  auto s = builtin_scanner();
  const char* clean = R"(#include <string>
int main(int argc, char** argv) {
  std::string token = get_token(argv[1]);
  const char* password_prompt = "Enter password:";
  auto api_key = std::getenv("ANTHROPIC_API_KEY");
  if (!api_key) return 1;  // see https://docs.anthropic.com/en/api
  for (int i = 0; i < 10; ++i) task_queue.push(i);
}
$ git log --oneline
ff84c61 Build skeleton: CMake modules per core folder
$ ls -la
-rw-r--r-- 1 root root 10586 Nov 24 19:55 builtin_ai.cpp
const secretName = config.secretName;
SECRET_KEY_NAME=my_production_database_secret
password: ${DB_PASSWORD}
)";
  auto fs = s->scan(clean);
  for (const auto& f : fs) {
    CAPTURE(f.rule_id);
    CHECK(f.category == Category::pii);
  }
}
