#pragma once
// A strict parser of the Prometheus text exposition format (0.0.4) for the metrics tests: it
// rejects what a Prometheus server would reject and checks the rules a scrape relies on.
#include <map>
#include <string>
#include <vector>

namespace gw::test {

struct Sample {
  std::string name;
  std::map<std::string, std::string> labels;  // unescaped values
  double value = 0;
};

struct Exposition {
  std::map<std::string, std::string> types;  // family -> counter|gauge|histogram
  std::map<std::string, std::string> help;
  std::vector<Sample> samples;
  // The value of the one sample with this name and exactly these labels; NaN when absent.
  double value(const std::string& name, const std::map<std::string, std::string>& labels) const;
};

// Parses `text`; on a violation returns false and a message naming the line.
bool parse_exposition(const std::string& text, Exposition& out, std::string& error);

}  // namespace gw::test
