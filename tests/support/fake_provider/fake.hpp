#pragma once
// Shared types of the fake provider server (tests/support/fake_provider). The fake imitates the
// Anthropic, OpenAI (Responses + Chat Completions) and Gemini wire APIs closely enough that the
// real agents accept it, logs every request, and injects faults on demand (see README.md).
#include <httplib.h>

#include <atomic>
#include <cstdio>
#include <deque>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace gw::fake {

using nlohmann::json;

enum class Api { anthropic, openai, gemini };
std::optional<Api> api_from_name(const std::string& name);
const char* api_name(Api api);

struct Options {
  std::string host = "127.0.0.1";
  int port = 0;
  std::string log_path;   // empty: keep the last k_memory_log_cap requests in memory only
  std::string port_file;  // empty: none
  std::string tls_cert, tls_key;
  std::map<Api, std::string> expect_keys;
  int events = 2;               // text deltas per streamed reply
  long event_interval_us = 0;   // sleep before each delta after the first
  int threads = 256;            // worker threads (each open connection holds one)
  bool compress = false;        // honour Accept-Encoding (httplib gzip); off by default
};

// Token accounting of one reply. total_input = max(1, request body bytes / 4); output = number
// of deltas sent. cache_read/cache_write/reasoning are 0 unless a "usage" fault sets them.
struct Usage {
  long total_input = 1;
  long cache_read = 0;
  long cache_write = 0;
  long output = 0;
  long reasoning = 0;
  // Anthropic counts cached tokens apart from input_tokens; the others include them.
  long anthropic_input() const { return total_input - cache_read - cache_write; }
};

// One injected fault, consumed by the next `count` matching model requests (see README.md).
struct Fault {
  std::string mode;  // status | cut | pause | instream_error | tool_call | usage | text
  int count = 1;
  int status = 500;
  int retry_after = -1;
  std::string message;
  int after_events = 1;
  int pause_ms = 0;
  std::string tool = "Read";
  json input = json::object();
  std::string text;            // mode text: the reply text (split into --events deltas)
  long cache_read = 0, cache_write = 0, reasoning = 0;
  std::optional<Api> api;      // only requests to this API
  std::string path_contains;   // only requests whose path contains this
  bool stream_mode() const { return mode == "cut" || mode == "pause" || mode == "instream_error"; }
};
Fault parse_fault(const json& spec, std::string& error);
json fault_to_json(const Fault& f);

// What a model request is answered with, built by make_plan once the request passed auth.
struct Plan {
  std::string model;
  bool tool_call = false;
  std::string tool_name, tool_id;
  json tool_input;
  std::string text;                 // the full reply text (or the tool arguments JSON)
  std::vector<std::string> deltas;  // pieces whose concatenation is `text`
  Usage usage;
  int cut_after = -1;               // stream: close abruptly after this many events
  int pause_ms = 0;                 // stream: silent pause after the first event
  bool instream_error = false;
  long interval_us = 0;
};

// Appends request records as JSON lines (flushed per line) and serves them back. Thread safe.
class RequestLog {
public:
  explicit RequestLog(const std::string& path);
  ~RequestLog();
  bool ok() const { return m_path.empty() || m_file != nullptr; }
  void append(const json& record);
  json all() const;  // JSON array of every record (from the file when there is one)

private:
  std::string m_path;
  std::FILE* m_file = nullptr;
  mutable std::mutex m_mutex;
  std::deque<json> m_memory;
};

// The queue of pending faults. take() returns the first fault matching the request and spends
// one of its uses; stream-only modes never match non-streaming requests.
class FaultQueue {
public:
  void push(Fault f);
  void clear();
  std::optional<Fault> take(Api api, const std::string& path, bool streaming);
  json pending() const;

private:
  mutable std::mutex m_mutex;
  std::deque<Fault> m_faults;
};

struct Context {
  Options opts;
  RequestLog* log = nullptr;
  FaultQueue faults;
  std::atomic<long> next_id{1};
  std::string new_id(const char* prefix);
};

// A reply decided by the router, passed to the provider-specific writers.
struct Call {
  Context& ctx;
  const httplib::Request& req;
  httplib::Response& res;
  json body;        // parsed request body (null when not JSON)
  bool streaming = false;
};

// replies.cpp
json sample_from_schema(const json& schema);
std::vector<std::string> split_text(const std::string& text, int pieces, bool plain);
Plan make_plan(Context& ctx, Api api, const json& body, std::size_t body_bytes,
               const std::string& model, const std::optional<Fault>& fault,
               const std::optional<json>& json_schema);
void error_reply(httplib::Response& res, Api api, int status, const std::string& message,
                 int retry_after, const std::string& request_id);
void stream_events(httplib::Response& res, std::vector<std::string> events,
                   std::vector<bool> is_delta, const Plan& plan);
long count_input_tokens(std::size_t body_bytes);
std::string sse(const std::string& event, const json& data);  // "event: E\ndata: J\n\n"

// anthropic.cpp / openai.cpp / gemini.cpp: answer a model request according to `plan`.
void anthropic_messages(Call& call, const Plan& plan);
void openai_responses(Call& call, const Plan& plan);
void openai_chat(Call& call, const Plan& plan);
void gemini_generate(Call& call, const Plan& plan);
std::optional<json> anthropic_schema(const json& body);
std::optional<json> responses_schema(const json& body);
std::optional<json> chat_schema(const json& body);
std::optional<json> gemini_schema(const json& body);

// router.cpp: installs every route on `server`.
void install_routes(httplib::Server& server, Context& ctx);

// recording_server.cpp: the request header block exactly as received on this worker thread's
// connection (names in original case and order), and whether it came over TLS.
std::vector<std::pair<std::string, std::string>> current_raw_headers();
std::string current_request_target();
bool current_is_tls();

}  // namespace gw::fake
