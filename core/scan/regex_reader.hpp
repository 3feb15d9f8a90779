#pragma once
// Internal to the regex analysis of regex_window.hpp: a small recursive-descent reader of RE2
// syntax computing, per sub-expression, the facts a WindowPlan (and capture_skip) needs.
// Conservative everywhere: a bound may be larger than the truth, an atom set may be missing,
// never the other way round.
//   regex_reader.cpp        the sets and lengths, alternation, concatenation, repetition
//   regex_reader_chars.cpp  single items: groups, literals, escapes, character classes
#include <bitset>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/scan/regex_window.hpp"

namespace gw::scan::regex_reader {

constexpr size_t k_inf = WindowPlan::k_unbounded;
constexpr size_t k_max_set = 64;      // most strings in an exact or atom set
constexpr size_t k_max_str = 64;      // longest string in an exact set
constexpr size_t k_max_class = 8;     // a class of at most this many (folded) chars stays exact
constexpr size_t k_len_cap = 1 << 16; // bounds beyond this are treated as unbounded
constexpr int k_max_depth = 200;

using Set = std::vector<std::string>;

// Lengths with k_inf for "unbounded"; results beyond k_len_cap become unbounded.
size_t add_len(size_t a, size_t b);
size_t mul_len(size_t a, size_t n);
void normalise(Set& s);                                    // sorted, without duplicates
std::optional<Set> product(const Set& a, const Set& b);    // every x + y; nullopt when too big
size_t min_size(const Set& s);
// A requirement is better when its shortest atom is longer (fewer spurious hits), then smaller.
bool better(const Set& a, const std::optional<Set>& b);

struct Info {
  size_t max_len = 0;
  size_t min_len = 0;
  std::bitset<256> chars;   // every byte some match may contain (a superset)
  bool assertion = false;   // holds an empty-width assertion (^ $ \b \B \A \z)
  bool nl_any = false;      // some match contains '\n'
  bool nl_nonlast = false;  // some match contains '\n' before its last byte
  std::optional<Set> exact; // every match case-folds to one of these (lowercase)
  std::optional<Set> atoms; // every match contains one of these (non-empty strings)

  std::optional<Set> requirement() const {
    if (exact && !exact->empty() && min_size(*exact) > 0) return exact;
    return atoms;
  }
  static Info empty_width() {
    Info i;
    i.exact = Set{""};
    return i;
  }
};

struct CharSet {
  std::bitset<128> ascii;
  bool non_ascii = false;
};

Info from_charset(const CharSet& cs);

class Reader {
public:
  explicit Reader(std::string_view p) : m_p(p) {}

  std::optional<Info> run();

  // Capturing groups in RE2's numbering (index 0 unused), valid after a successful run().
  const std::vector<GroupFacts>& groups() const { return m_groups; }

private:
  bool at_end() const { return m_i >= m_p.size(); }
  char peek() const { return m_p[m_i]; }

  // alternation := concat ('|' concat)*; stops at ')' or the end.
  std::optional<Info> alternation(bool fold, bool dotnl, int depth);

  // concat := repeat*. A bare flag group "(?i)" updates fold/dotnl for the rest of the group.
  std::optional<Info> concat(bool& fold, bool& dotnl, int depth);

  static Info combine(const std::vector<Info>& items);

  std::optional<Info> repeat(bool fold, bool dotnl, int depth);

  // {n}, {n,}, {n,m} at m_i; advances past it on success.
  std::optional<std::pair<size_t, size_t>> counted();

  static Info repeated(const Info& c, size_t lo, size_t hi);

  std::optional<Info> primary(bool fold, bool dotnl, int depth);

  static void add_char(CharSet& cs, unsigned c, bool fold);

  // One escape at m_i ('\\'), outside or inside a class, as a set of chars; false if unknown.
  // `single` receives the code point for escapes that denote one char (for class ranges).
  bool escape(CharSet& cs, bool fold, int* single = nullptr);

  std::optional<Info> char_class(bool fold);

  std::string_view m_p;
  size_t m_i = 0;
  std::vector<GroupFacts> m_groups = std::vector<GroupFacts>(1);
};

}  // namespace gw::scan::regex_reader
