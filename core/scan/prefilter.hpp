#pragma once
// Keyword prefilter: one Aho-Corasick pass over the text (ASCII case-insensitive) tells which
// keywords occur, so that only the rules owning those keywords run their regex.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace gw::scan {

class KeywordIndex {
public:
  KeywordIndex() = default;
  // keywords: lowercase (ASCII) byte strings; keyword i is reported as id i. Empty keywords are
  // ignored (they would match everywhere; callers treat such rules as always-run).
  explicit KeywordIndex(const std::vector<std::string>& keywords);

  // Sets found[i] = 1 for every keyword i occurring in text; found must have keyword_count()
  // entries (it is not cleared). Returns the number of distinct keywords newly found.
  size_t find(std::string_view text, std::vector<uint8_t>& found) const;

  // One occurrence of a positional keyword: its id and the offset just past its end.
  struct Hit {
    uint32_t id;
    size_t end;
  };
  // Like find(), and also appends EVERY occurrence of a keyword with id >= positional_from to
  // hits, in no particular order (hits is not cleared).
  size_t find(std::string_view text, std::vector<uint8_t>& found, uint32_t positional_from,
              std::vector<Hit>& hits) const;
  // Like the above, and appends each id it newly sets in found to seen (so that a caller can
  // reset just those entries instead of clearing found).
  size_t find(std::string_view text, std::vector<uint8_t>& found, uint32_t positional_from,
              std::vector<Hit>& hits, std::vector<uint32_t>& seen) const;
  size_t keyword_count() const { return m_keyword_count; }

private:
  // Runs the automaton over text[from, to) from state row s, reporting only occurrences that
  // start before start_limit.
  size_t run(std::string_view text, size_t from, size_t to, size_t start_limit, std::vector<uint8_t>& found,
             uint32_t positional_from, std::vector<Hit>& hits, std::vector<uint32_t>& seen, uint32_t s) const;
  // Reports the keywords of state row `row` ending at `end` and starting before start_limit.
  size_t emit(uint32_t row, size_t end, size_t start_limit, std::vector<uint8_t>& found,
              uint32_t positional_from, std::vector<Hit>& hits, std::vector<uint32_t>& seen) const;
  size_t m_keyword_count = 0;
  size_t m_max_len = 0;
  std::vector<uint32_t> m_len;         // keyword id -> length
  uint32_t m_classes = 1;
  uint8_t m_class_of[256] = {};
  std::vector<uint32_t> m_next;        // row (state * m_classes) + class -> next row
  uint32_t m_accept_row = 0;           // rows from here on belong to states with outputs
  std::vector<uint32_t> m_out_begin;   // per state: range in m_out
  std::vector<uint32_t> m_out;         // keyword ids
};

}  // namespace gw::scan
