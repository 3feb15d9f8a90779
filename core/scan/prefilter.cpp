#include "core/scan/prefilter.hpp"

#include <algorithm>
#include <deque>
#include <utility>

namespace gw::scan {
namespace {
inline unsigned char fold(unsigned char c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; }
}  // namespace

KeywordIndex::KeywordIndex(const std::vector<std::string>& keywords)
    : m_keyword_count(keywords.size()) {
  for (const auto& k : keywords) {
    m_len.push_back(static_cast<uint32_t>(k.size()));
    m_max_len = std::max(m_max_len, k.size());
  }
  // Byte classes: every byte appearing in a keyword (case-folded) gets its own class; all other
  // bytes share class 0, which keeps the transition table small.
  for (const auto& k : keywords)
    for (unsigned char c : k) {
      unsigned char f = fold(c);
      if (m_class_of[f] == 0) m_class_of[f] = static_cast<uint8_t>(m_classes++);
    }
  for (int c = 'A'; c <= 'Z'; ++c) m_class_of[c] = m_class_of[c + 32];
  // A trie first (transitions 0 = absent, since the root is never a child).
  std::vector<std::vector<uint32_t>> out_sets(1);
  std::vector<uint32_t> trie(m_classes, 0);
  uint32_t states = 1;
  for (size_t id = 0; id < keywords.size(); ++id) {
    if (keywords[id].empty()) continue;
    uint32_t s = 0;
    for (unsigned char c : keywords[id]) {
      uint32_t cls = m_class_of[fold(c)];
      uint32_t& t = trie[s * m_classes + cls];
      if (t == 0) {
        t = states++;
        trie.resize(static_cast<size_t>(states) * m_classes, 0);
        out_sets.emplace_back();
      }
      s = trie[s * m_classes + cls];
    }
    out_sets[s].push_back(static_cast<uint32_t>(id));
  }
  // BFS: failure links, merged outputs and the complete DFA.
  std::vector<uint32_t> fail(states, 0);
  std::deque<uint32_t> queue;
  for (uint32_t c = 0; c < m_classes; ++c)
    if (uint32_t t = trie[c]) queue.push_back(t);
  while (!queue.empty()) {
    uint32_t s = queue.front();
    queue.pop_front();
    for (uint32_t id : out_sets[fail[s]]) out_sets[s].push_back(id);
    for (uint32_t c = 0; c < m_classes; ++c) {
      uint32_t t = trie[s * m_classes + c];
      if (t) {
        fail[t] = trie[fail[s] * m_classes + c];
        queue.push_back(t);
      } else {
        trie[s * m_classes + c] = trie[fail[s] * m_classes + c];
      }
    }
  }
  // States are renumbered so that those with outputs come last: "a keyword ends here" is then
  // "row >= m_accept_row", tested beside the per-byte dependency chain instead of masking a flag
  // bit inside it. Entries hold the target state's row offset (state * classes), so the step
  // needs no multiplication either. The root has no outputs and stays state 0.
  std::vector<uint32_t> renum(states);
  uint32_t next_id = 0;
  for (uint32_t st = 0; st < states; ++st)
    if (out_sets[st].empty()) renum[st] = next_id++;
  m_accept_row = next_id * m_classes;
  for (uint32_t st = 0; st < states; ++st)
    if (!out_sets[st].empty()) renum[st] = next_id++;
  m_next.resize(trie.size());
  for (uint32_t st = 0; st < states; ++st)
    for (uint32_t c = 0; c < m_classes; ++c)
      m_next[renum[st] * m_classes + c] = renum[trie[st * m_classes + c]] * m_classes;
  std::vector<uint32_t> old_of(states);
  for (uint32_t st = 0; st < states; ++st) old_of[renum[st]] = st;
  m_out_begin.resize(states + 1);
  for (uint32_t st = 0; st < states; ++st) {
    m_out_begin[st] = static_cast<uint32_t>(m_out.size());
    m_out.insert(m_out.end(), out_sets[old_of[st]].begin(), out_sets[old_of[st]].end());
  }
  m_out_begin[states] = static_cast<uint32_t>(m_out.size());
}

size_t KeywordIndex::find(std::string_view text, std::vector<uint8_t>& found) const {
  thread_local std::vector<Hit> none;
  return find(text, found, static_cast<uint32_t>(m_keyword_count), none);
}

size_t KeywordIndex::find(std::string_view text, std::vector<uint8_t>& found, uint32_t positional_from,
                          std::vector<Hit>& hits) const {
  thread_local std::vector<uint32_t> seen;
  seen.clear();
  return find(text, found, positional_from, hits, seen);
}

size_t KeywordIndex::find(std::string_view text, std::vector<uint8_t>& found, uint32_t positional_from,
                          std::vector<Hit>& hits, std::vector<uint32_t>& seen) const {
  if (m_next.empty()) return 0;
  const size_t n = text.size();
  constexpr size_t k_split = 256;  // shorter texts: one pass
  if (n < k_split || n < 8 * m_max_len) return run(text, 0, n, n, found, positional_from, hits, seen, 0);
  // K interleaved passes over K segments, each continued far enough past its segment to finish
  // the occurrences that start in it, so that K independent chains of table loads overlap (one
  // pass is bound by the latency of a load per byte). Pass k reports the occurrences starting
  // in its segment; it starts at the root at the segment's start, so it sees all of them.
  // Together: exactly the occurrences of one pass.
  constexpr size_t K = 4;  // 8 spills registers on x86-64
  size_t begin[K], end[K], limit[K];
  uint32_t s[K];
  for (size_t k = 0; k < K; ++k) {
    begin[k] = n * k / K;
    limit[k] = n * (k + 1) / K;
    end[k] = std::min(n, limit[k] + m_max_len - 1);
    s[k] = 0;
  }
  size_t steps = n;
  for (size_t k = 0; k < K; ++k) steps = std::min(steps, end[k] - begin[k]);
  const uint32_t* next = m_next.data();
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  size_t newly = 0;
  // Fully unrolled over k (constant indices), so the K chains live in registers: an array indexed
  // in a loop went through the stack, adding a store-to-load delay to every step of every chain.
  const uint8_t* cls = m_class_of;
  const uint32_t accept = m_accept_row;
  [&]<size_t... k>(std::index_sequence<k...>) {
    const unsigned char* q[K] = {(p + begin[k])...};
    for (size_t i = 0; i < steps; ++i) {
      ((s[k] = next[s[k] + cls[q[k][i]]]), ...);
      if (std::max({s[k]...}) >= accept) [[unlikely]]
        ((newly += s[k] >= accept ? emit(s[k], begin[k] + i + 1, limit[k], found, positional_from, hits, seen) : 0), ...);
    }
  }(std::make_index_sequence<K>{});
  for (size_t k = 0; k < K; ++k)
    newly += run(text, begin[k] + steps, end[k], limit[k], found, positional_from, hits, seen, s[k]);
  return newly;
}

size_t KeywordIndex::emit(uint32_t row, size_t end, size_t start_limit, std::vector<uint8_t>& found,
                          uint32_t positional_from, std::vector<Hit>& hits, std::vector<uint32_t>& seen) const {
  size_t newly = 0;
  const uint32_t state = row / m_classes;
  for (uint32_t k = m_out_begin[state]; k < m_out_begin[state + 1]; ++k) {
    uint32_t id = m_out[k];
    if (end - m_len[id] >= start_limit) continue;
    uint8_t& f = found[id];
    if (f == 0) {
      ++newly;
      seen.push_back(id);
      f = 1;
    }
    if (id >= positional_from) hits.push_back(Hit{id, end});
  }
  return newly;
}

size_t KeywordIndex::run(std::string_view text, size_t from, size_t to, size_t start_limit, std::vector<uint8_t>& found,
                         uint32_t positional_from, std::vector<Hit>& hits, std::vector<uint32_t>& seen,
                         uint32_t s) const {
  size_t newly = 0;
  const uint32_t* next = m_next.data();
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  for (size_t i = from; i < to; ++i) {
    s = next[s + m_class_of[p[i]]];  // row offset of the new state
    if (s >= m_accept_row) [[unlikely]] newly += emit(s, i + 1, start_limit, found, positional_from, hits, seen);
  }
  return newly;
}

}  // namespace gw::scan
