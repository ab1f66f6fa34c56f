// What the live-data lint tests compare: the live findings (D001-D004) of a report as one line
// each, and whether the report kept its order.
#pragma once

#include <algorithm>
#include <string>
#include <tuple>
#include <vector>

#include "strata/lint.h"

namespace strata::testing {

// "file:line:col RULE severity: message" for each live-data finding (rules D*), in report order;
// the file without its directory.
inline std::vector<std::string> LiveFindings(const LintReport& report) {
  std::vector<std::string> out;
  for (const LintFinding& f : report.findings) {
    if (!f.rule.starts_with("D")) continue;
    std::string file = f.file.substr(f.file.find_last_of('/') + 1);
    out.push_back(file + ":" + std::to_string(f.line) + ":" + std::to_string(f.column) + " " + f.rule + " " +
                  LintSeverityName(f.severity) + ": " + f.message);
  }
  return out;
}

// The report keeps migration order, then position in the file, with the live findings among the others.
inline bool InOrder(const LintReport& report) {
  return std::is_sorted(report.findings.begin(), report.findings.end(), [](const LintFinding& a, const LintFinding& b) {
    return std::tie(a.version, a.line, a.column) < std::tie(b.version, b.line, b.column);
  });
}

// Lint of the pending migrations with the live-data questions.
inline const LintOptions kLive = {.pending_only = true, .live_data = true};

}  // namespace strata::testing
