#pragma once
// The sink implementations, built from their config. make_sink resolves what the config only
// names (HEC token from env/file, OTLP header values from env) and fails with a message naming
// the sink when it cannot.
#include <memory>

#include "core/siem/config.hpp"
#include "core/siem/sink.hpp"

namespace gw::siem {

Result<std::unique_ptr<Sink>> make_file_sink(const SinkConfig& cfg);
Result<std::unique_ptr<Sink>> make_syslog_sink(const SinkConfig& cfg);
Result<std::unique_ptr<Sink>> make_hec_sink(const SinkConfig& cfg);
Result<std::unique_ptr<Sink>> make_otlp_sink(const SinkConfig& cfg);
Result<std::unique_ptr<Sink>> make_sink(const SinkConfig& cfg);

}  // namespace gw::siem
