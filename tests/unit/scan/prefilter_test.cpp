#include <doctest/doctest.h>

#include <algorithm>
#include <random>

#include "core/scan/prefilter.hpp"

using namespace gw::scan;

namespace {
// Every (id, end) occurrence, by brute force, ASCII case-insensitive.
std::vector<std::pair<uint32_t, size_t>> naive(const std::vector<std::string>& words, std::string_view text) {
  std::vector<std::pair<uint32_t, size_t>> out;
  auto fold = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
  for (uint32_t id = 0; id < words.size(); ++id)
    for (size_t i = 0; i + words[id].size() <= text.size(); ++i) {
      bool eq = true;
      for (size_t k = 0; k < words[id].size() && eq; ++k) eq = fold(text[i + k]) == words[id][k];
      if (eq) out.emplace_back(id, i + words[id].size());
    }
  std::sort(out.begin(), out.end());
  return out;
}
}  // namespace

TEST_CASE("KeywordIndex: every occurrence in short and long texts, at segment borders too") {
  const std::vector<std::string> words = {"ab", "abc", "bca", "secret", "token", "cab", "aaaa", "c"};
  KeywordIndex index(words);
  std::mt19937 rng(11);
  const std::string alphabet = "abcABC secrtokn\n";
  for (size_t len : {0u, 1u, 5u, 255u, 256u, 257u, 1000u, 4099u, 20000u}) {
    for (int round = 0; round < 20; ++round) {
      std::string text;
      for (size_t i = 0; i < len; ++i) text.push_back(alphabet[rng() % alphabet.size()]);
      if (len > 40 && round % 2 == 0) {  // plant keywords across each quarter border
        for (size_t q = 1; q < 4; ++q) text.replace(len * q / 4 - 3, 6, "SeCrEt");
      }
      std::vector<uint8_t> found(words.size(), 0);
      std::vector<KeywordIndex::Hit> hits;
      std::vector<uint32_t> seen;
      size_t newly = index.find(text, found, 0, hits, seen);
      std::vector<std::pair<uint32_t, size_t>> got;
      for (const auto& h : hits) got.emplace_back(h.id, h.end);
      std::sort(got.begin(), got.end());
      auto want = naive(words, text);
      REQUIRE(got == want);
      std::vector<uint32_t> distinct;
      for (const auto& w : want) distinct.push_back(w.first);
      std::sort(distinct.begin(), distinct.end());
      distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
      std::sort(seen.begin(), seen.end());
      CHECK(seen == distinct);
      CHECK(newly == distinct.size());
      for (uint32_t id = 0; id < words.size(); ++id)
        CHECK(found[id] == (std::binary_search(distinct.begin(), distinct.end(), id) ? 1 : 0));
    }
  }
}
