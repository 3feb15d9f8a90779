#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/json/json_walk.hpp"

using namespace gw::json;

TEST_CASE("json::validate: accepts valid RFC 8259 documents") {
  const char* valid[] = {
      "{}", "[]", "0", "-0", "1.5e10", "-12.25E-3", "1E+2", "\"\"", "true", "false", "null",
      " \n\t\r{ \"a\" : [ 1 , 2 , { } , [ ] ] } \n",
      R"({"k":"esc \" \\ \/ \b \f \n \r \t \u00e9 \ud83d\ude00"})",
      "\"caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80\"",
      R"([{"a":{"b":{"c":[null,true,false,-1.0e-5]}}}])",
      R"("\ud800")",  // lone surrogates are grammatical JSON
  };
  for (const char* doc : valid) {
    CAPTURE(doc);
    auto r = validate(doc);
    CHECK_MESSAGE(r.has_value(), (r ? "" : r.error().message));
    // Cross-check with nlohmann where it agrees on the grammar.
    if (std::string(doc) != R"("\ud800")") CHECK(!nlohmann::json::parse(doc, nullptr, false).is_discarded());
  }
}

TEST_CASE("json::validate: rejects invalid documents with the byte offset of the problem") {
  struct Case {
    const char* doc;
    size_t offset;
    const char* what;
  } cases[] = {
      {"", 0, "expected a JSON value"},
      {"{", 1, "expected a string key or '}'"},
      {R"({"a":1,})", 7, "expected a string key after ','"},
      {R"({"a" 1})", 5, "expected ':'"},
      {R"({"a":1 "b":2})", 7, "expected ',' or '}'"},
      {"[1,2", 4, "expected ',' or ']'"},
      {"[1 2]", 3, "expected ',' or ']'"},
      {"01", 1, "unexpected data"},
      {"-", 1, "invalid number"},
      {"1.", 2, "invalid number"},
      {"1e", 2, "invalid number"},
      {"+1", 0, "expected a value"},
      {"tru", 0, "invalid literal"},
      {"nul", 0, "invalid literal"},
      {R"("abc)", 0, "unterminated string"},
      {"\"a\tb\"", 2, "unescaped control character"},
      {R"("\x")", 1, "invalid escape"},
      {R"("\u12g4")", 1, "invalid \\u escape"},
      {"\"\xC3\"", 1, "invalid UTF-8"},
      {"\"\xED\xA0\x80\"", 1, "invalid UTF-8"},  // encoded surrogate
      {"\"\xC0\xAF\"", 1, "invalid UTF-8"},      // overlong
      {"{} {}", 3, "unexpected data"},
      {"[1,]", 3, "expected a value"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.doc);
    auto r = validate(c.doc);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == gw::Errc::invalid_argument);
    CHECK(r.error().message.find("invalid JSON at byte " + std::to_string(c.offset) + ":") == 0);
    CHECK(r.error().message.find(c.what) != std::string::npos);
  }
}

TEST_CASE("json::validate: the depth limit stops deeply nested input without recursion") {
  std::string deep(100000, '[');
  auto r = validate(deep);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().message.find("nesting deeper than 256 levels") != std::string::npos);

  std::string ok = std::string(256, '[') + std::string(256, ']');
  CHECK(validate(ok).has_value());
  std::string too = std::string(257, '[') + std::string(257, ']');
  CHECK_FALSE(validate(too).has_value());
  CHECK(validate(too, 300).has_value());
}

TEST_CASE("json::validate: long strings take the vectorised path and still catch errors late") {
  std::string body(10000, 'x');
  CHECK(validate("\"" + body + "\"").has_value());
  std::string bad = "\"" + body + "\x01" + body + "\"";
  auto r = validate(bad);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().message.find("at byte 10001:") != std::string::npos);
  std::string escaped = "\"" + body + "\\n" + body + "\xC3\xA9" + body + "\"";
  CHECK(validate(escaped).has_value());
}

namespace {
struct Collect : Visitor {
  std::vector<std::pair<std::string, std::string>> strings;  // pointer, raw
  std::vector<std::pair<std::string, std::string>> keys;
  std::vector<size_t> offsets;
  bool keys_wanted = false;
  std::string skip_key;
  void on_string(const Path& p, const StringToken& t) override {
    strings.emplace_back(to_pointer(p), std::string(t.raw));
    offsets.push_back(t.offset);
  }
  void on_key(const Path& p, const StringToken& t) override {
    keys.emplace_back(to_pointer(p), std::string(t.raw));
  }
  bool wants_keys() const override { return keys_wanted; }
  bool enter(const Path& p, Type) override {
    return skip_key.empty() || p.empty() || p.back().is_index || p.back().key != skip_key;
  }
};
}  // namespace

TEST_CASE("json::walk: reports every string value with its path and raw offset") {
  std::string doc =
      R"({"model":"m","messages":[{"role":"user","content":[{"type":"text","text":"hi\nthere"}]}],"n":1})";
  Collect c;
  REQUIRE(walk(doc, c).has_value());
  REQUIRE(c.strings.size() == 4);
  CHECK(c.strings[0] == std::pair<std::string, std::string>{"/model", "m"});
  CHECK(c.strings[1].first == "/messages/0/role");
  CHECK(c.strings[3].first == "/messages/0/content/0/text");
  CHECK(c.strings[3].second == "hi\\nthere");
  for (size_t i = 0; i < c.strings.size(); ++i)
    CHECK(doc.substr(c.offsets[i], c.strings[i].second.size()) == c.strings[i].second);
  CHECK(c.keys.empty());
}

TEST_CASE("json::walk: keys are reported on request with the path of their object") {
  Collect c;
  c.keys_wanted = true;
  REQUIRE(walk(R"({"a":{"b~/c":1},"d":[{"e":null}]})", c).has_value());
  REQUIRE(c.keys.size() == 4);
  CHECK(c.keys[0] == std::pair<std::string, std::string>{"", "a"});
  CHECK(c.keys[1] == std::pair<std::string, std::string>{"/a", "b~/c"});
  CHECK(c.keys[3] == std::pair<std::string, std::string>{"/d/0", "e"});
}

TEST_CASE("json::walk: a declined subtree is skipped but still validated") {
  Collect c;
  c.skip_key = "source";
  std::string doc = R"({"a":"x","source":{"data":"AAAA","deep":["y"]},"b":"z"})";
  REQUIRE(walk(doc, c).has_value());
  REQUIRE(c.strings.size() == 2);
  CHECK(c.strings[1].first == "/b");
  Collect c2;
  c2.skip_key = "source";
  CHECK_FALSE(walk(R"({"source":{"data":"A)", c2).has_value());
}

TEST_CASE("json::to_display and to_pointer: readable paths with escaped keys decoded") {
  Path p{{"messages", 0, false}, {{}, 3, true}, {"a\\\"b", 0, false}, {"x/y~", 0, false}};
  CHECK(to_display(p) == "messages[3].a\"b.x/y~");
  CHECK(to_pointer(p) == "/messages/3/a\"b/x~1y~0");
}

TEST_CASE("json::top_level_members: decoded keys, raw value spans and typed helpers") {
  std::string doc =
      R"( {"model":"claude-\u00e9","stream":true,"max_tokens":4096,"neg":-3,"f":1.5,"big":123456789012345678901,)"
      R"("messages":[{"a":[]}],"meta":{},"n":null,"k\"ey":"v"} )";
  auto r = top_level_members(doc);
  REQUIRE(r.has_value());
  const auto& t = *r;
  REQUIRE(t.members.size() == 10);
  CHECK(t.string("model") == "claude-\xC3\xA9");
  CHECK(t.boolean("stream") == true);
  CHECK(t.integer("max_tokens") == 4096);
  CHECK(t.integer("neg") == -3);
  CHECK_FALSE(t.integer("f").has_value());
  CHECK_FALSE(t.integer("big").has_value());
  CHECK(t.raw("messages") == R"([{"a":[]}])");
  CHECK(t.raw("meta") == "{}");
  CHECK(t.raw("n") == "null");
  CHECK(t.find("messages")->type == Type::array);
  CHECK(t.find("meta")->type == Type::object);
  CHECK(t.string("k\"ey") == "v");
  CHECK_FALSE(t.string("stream").has_value());
  CHECK_FALSE(t.raw("absent").has_value());
  for (const auto& m : t.members) CHECK(doc.substr(m.offset, m.raw.size()) == m.raw);
}

TEST_CASE("json::top_level_members: the document must be a valid object") {
  CHECK_FALSE(top_level_members("[1]").has_value());
  CHECK_FALSE(top_level_members(R"({"a":1,"b":[})").has_value());
  auto dup = top_level_members(R"({"a":1,"a":2})");
  REQUIRE(dup.has_value());
  CHECK(dup->integer("a") == 2);
  CHECK(top_level_members("{}")->members.empty());
}

TEST_CASE("json::decode_string: all escapes and surrogate pairs become UTF-8") {
  CHECK(decode_string(R"(a\"b\\c\/d\be\ff\ng\rh\ti)") == "a\"b\\c/d\be\ff\ng\rh\ti");
  CHECK(decode_string(R"(\u0041\u00e9\u20ac)") == "A\xC3\xA9\xE2\x82\xAC");
  CHECK(decode_string(R"(\ud83d\ude00)") == "\xF0\x9F\x98\x80");
  CHECK(decode_string(R"(\ud83dx)") == "\xEF\xBF\xBDx");
  CHECK(decode_string(R"(\ude00)") == "\xEF\xBF\xBD");
  CHECK(decode_string("plain \xC3\xA9") == "plain \xC3\xA9");
}

TEST_CASE("json::DecodedString: decoded spans map back to exactly the raw bytes") {
  std::string raw = R"(key=\"AKIA\u0041BC\"\n\ud83d\ude00end)";
  DecodedString d(raw);
  CHECK(d.text() == "key=\"AKIAABC\"\n\xF0\x9F\x98\x80" "end");
  // "AKIAABC" in decoded text:
  size_t at = d.text().find("AKIAABC");
  auto [b, e] = d.raw_span(at, at + 7);
  CHECK(raw.substr(b, e - b) == R"(AKIA\u0041BC)");
  // A span ending inside the 4-byte emoji widens to the whole surrogate-pair escape.
  size_t emoji = d.text().find("\xF0");
  auto [b2, e2] = d.raw_span(emoji, emoji + 2);
  CHECK(raw.substr(b2, e2 - b2) == R"(\ud83d\ude00)");
  auto [b3, e3] = d.raw_span(d.text().size() - 3, d.text().size());
  CHECK(raw.substr(b3, e3 - b3) == "end");
  CHECK(d.raw_offset(d.text().size()) == raw.size());
}

TEST_CASE("json::encode_string: round-trips through decode and nlohmann") {
  std::string s = "q\"b\\s/\n\r\t\b\f\x01\x1f caf\xC3\xA9";
  std::string enc = encode_string(s);
  CHECK(validate(enc).has_value());
  CHECK(nlohmann::json::parse(enc, nullptr, false).get<std::string>() == s);
  CHECK(decode_string(encode_string_contents(s)) == s);
  CHECK(encode_string("[REDACTED:x:1234abcd]") == "\"[REDACTED:x:1234abcd]\"");
}

TEST_CASE("json::array_elements: raw spans of each element of a top-level array") {
  std::string doc = R"( [ {"a":[1,2]}, "s\"x", 3, [], null ] )";
  auto r = array_elements(doc);
  REQUIRE(r.has_value());
  REQUIRE(r->size() == 5);
  CHECK((*r)[0].raw == R"({"a":[1,2]})");
  CHECK((*r)[0].type == Type::object);
  CHECK((*r)[1].raw == R"("s\"x")");
  CHECK((*r)[2].raw == "3");
  CHECK((*r)[3].raw == "[]");
  CHECK((*r)[4].type == Type::null);
  for (const auto& e : *r) CHECK(doc.substr(e.offset, e.raw.size()) == e.raw);
  CHECK(array_elements("[]")->empty());
  CHECK_FALSE(array_elements("{}").has_value());
  CHECK_FALSE(array_elements("[1,]").has_value());
}
