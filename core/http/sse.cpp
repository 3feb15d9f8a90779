#include "core/http/sse.hpp"

namespace gw::http {

SseParser::SseParser(Callback on_event, size_t max_event_bytes)
    : m_on_event(std::move(on_event)), m_max(max_event_bytes) {}

void SseParser::feed(std::string_view bytes) {
  size_t i = 0;
  if (m_after_cr && !bytes.empty()) {
    m_after_cr = false;
    if (bytes[0] == '\n') i = 1;  // the LF of a CRLF split across feeds
  }
  while (i < bytes.size()) {
    size_t j = bytes.find_first_of("\r\n", i);
    if (j == std::string_view::npos) {
      if (m_line.size() + (bytes.size() - i) <= m_max) m_line.append(bytes.substr(i));
      else m_oversized_now = true;
      return;
    }
    if (m_line.empty()) {
      line(bytes.substr(i, j - i));
    } else {
      m_line.append(bytes.substr(i, j - i));
      line(m_line);
      m_line.clear();
    }
    if (bytes[j] == '\r') {
      if (j + 1 < bytes.size()) {
        i = bytes[j + 1] == '\n' ? j + 2 : j + 1;
      } else {
        m_after_cr = true;
        i = j + 1;
      }
    } else {
      i = j + 1;
    }
  }
}

void SseParser::line(std::string_view l) {
  if (l.empty()) {
    dispatch();
    return;
  }
  if (l[0] == ':') return;  // comment
  m_current_bytes += l.size();
  if (m_current_bytes > m_max) {
    m_oversized_now = true;
    return;
  }
  size_t colon = l.find(':');
  std::string_view field = l.substr(0, colon);
  std::string_view value;
  if (colon != std::string_view::npos) {
    value = l.substr(colon + 1);
    if (!value.empty() && value[0] == ' ') value.remove_prefix(1);
  }
  if (field == "data") {
    if (m_has_data) m_current.data.push_back('\n');
    m_current.data.append(value);
    m_has_data = true;
  } else if (field == "event") {
    m_current.event.assign(value);
  } else if (field == "id") {
    if (value.find('\0') == std::string_view::npos) m_current.id.assign(value);
  }
  // "retry" and unknown fields are ignored.
}

void SseParser::dispatch() {
  if (m_oversized_now) {
    ++m_oversized;
  } else if (m_has_data) {
    ++m_events;
    m_on_event(m_current);
  }
  m_current.event.clear();
  m_current.data.clear();
  m_has_data = false;
  m_oversized_now = false;
  m_current_bytes = 0;
}

void SseParser::finish() {
  m_line.clear();
  m_current = {};
  m_has_data = false;
  m_oversized_now = false;
  m_current_bytes = 0;
}

}  // namespace gw::http
