#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "core/json/byte_find.hpp"
#include "core/json/json_split.hpp"
#include "core/json/json_walk.hpp"

using namespace gw::json;

TEST_CASE("json::find_byte: property: the vector path finds exactly what the scalar loop finds") {
  std::mt19937 rng(7);
  for (int round = 0; round < 3000; ++round) {
    size_t n = rng() % 80;
    std::string s(n, 'a');
    for (auto& c : s) c = "ab\\\n\"\xC3"[rng() % 6];
    char needle = "\\\n\"x"[rng() % 4];
    size_t from = n ? rng() % (n + 1) : 0;
    CAPTURE(s);
    CHECK(find_byte(s.data() + from, s.data() + n, needle) == find_byte_scalar(s.data() + from, s.data() + n, needle));
    std::vector<size_t> simd, scalar;
    for_each_byte(s.data(), n, needle, [&](size_t at) { simd.push_back(at); });
    for (size_t i = 0; i < n; ++i)
      if (s[i] == needle) scalar.push_back(i);
    CHECK(simd == scalar);
  }
}

TEST_CASE("json::split_object: the members of a valid object, as top_level_members sees them") {
  std::string doc = R"( { "model" : "m", "messages":[ {"role":"user","content":"hi \"x\""}, "s", 12, [1,[2]] ],)"
                    R"( "n":-1.5e3, "t":true, "z":null, "k\u00e9y":{"a":"}"} } )";
  std::vector<RawMember> members;
  REQUIRE(split_object(doc, members));
  auto top = top_level_members(doc);
  REQUIRE(top);
  REQUIRE(members.size() == top->members.size());
  for (size_t i = 0; i < members.size(); ++i) {
    CAPTURE(i);
    CHECK(members[i].raw == top->members[i].raw);
    CHECK(members[i].offset == top->members[i].offset);
    CHECK(members[i].type == top->members[i].type);
    CHECK((members[i].key_escapes ? decode_string(members[i].key) : std::string(members[i].key)) == top->members[i].key);
  }
  std::vector<Element> elems;
  REQUIRE(split_array(members[1].raw, elems));
  auto expected = array_elements(members[1].raw);
  REQUIRE(expected);
  REQUIRE(elems.size() == expected->size());
  for (size_t i = 0; i < elems.size(); ++i) {
    CHECK(elems[i].raw == (*expected)[i].raw);
    CHECK(elems[i].offset == (*expected)[i].offset);
    CHECK(elems[i].type == (*expected)[i].type);
  }
}

TEST_CASE("json::split_object: broken structure outside the values is refused") {
  std::vector<RawMember> m;
  for (const char* doc : {"", "[]", "{", "{\"a\":1,}", "{\"a\" 1}", "{\"a\":1 \"b\":2}", "{\"a\":1} x",
                          "{\"a\":\"unterminated}", "{\"a\":[1,2}", "{a:1}", "{\"a\":}", "{\"\\x\":1}"}) {
    CAPTURE(doc);
    CHECK_FALSE(split_object(doc, m));
  }
  std::vector<Element> e;
  for (const char* raw : {"[", "[1,]", "[1 2]", "[,1]", "{}", "[\"a]"}) {
    CAPTURE(raw);
    CHECK_FALSE(split_array(raw, e));
  }
  CHECK(split_object("{}", m));
  CHECK(m.empty());
  CHECK(split_array(" [ ] ", e));
  CHECK(e.empty());
}

TEST_CASE("json::skip_value: unterminated values report size + 1, never read past the end") {
  CHECK(skip_value(R"("abc\")", 0) == 7);
  CHECK(skip_value(R"({"a":[1,{"b":"]"}]})", 0) == 19);
  CHECK(skip_value(R"([1,2)", 0) == 5);
  CHECK(skip_value(R"(12, 3)", 0) == 2);
  CHECK(skip_value("", 0) == 1);
  CHECK(skip_value(R"("a\\")", 0) == 5);
}

namespace {
// The document is valid exactly when its skeleton splits and every value validates on its own.
bool valid_by_split(std::string_view doc) {
  std::vector<RawMember> members;
  if (!split_object(doc, members)) return false;
  std::vector<Element> elems;
  for (const auto& m : members) {
    if (m.type == Type::array && split_array(m.raw, elems)) {
      for (const auto& e : elems)
        if (!validate(e.raw)) return false;
      continue;
    }
    if (!validate(m.raw)) return false;
  }
  return true;
}
}  // namespace

TEST_CASE("json::split_object: property: split + per-value validation accepts exactly the valid documents") {
  std::mt19937 rng(11);
  const std::string alphabet = "{}[]\",:\\ 01a-tn\x80";
  size_t valid_count = 0, total = 0;
  for (int round = 0; round < 4000; ++round) {
    nlohmann::json j = {{"model", "x"},
                        {"messages", nlohmann::json::array({{{"role", "user"}, {"content", "a\"b\\c\nd"}}, "s", 1})},
                        {"n", rng() % 100},
                        {"tools", nlohmann::json::array()},
                        {"o", {{"k", nlohmann::json::array({true, nullptr, -2.5})}}}};
    std::string doc = j.dump(rng() % 2 ? -1 : 1);
    int edits = static_cast<int>(rng() % 3);
    for (int e = 0; e < edits; ++e) {
      size_t at = rng() % doc.size();
      switch (rng() % 3) {
        case 0: doc[at] = alphabet[rng() % alphabet.size()]; break;
        case 1: doc.erase(at, 1); break;
        default: doc.insert(at, 1, alphabet[rng() % alphabet.size()]); break;
      }
    }
    CAPTURE(doc);
    bool expected = top_level_members(doc).has_value();
    CHECK(valid_by_split(doc) == expected);
    valid_count += expected;
    ++total;
  }
  CHECK(valid_count > total / 4);  // both outcomes are exercised
  CHECK(valid_count < total);
}
