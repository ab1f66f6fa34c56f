// `-- strata:lint-ignore RULE[,RULE]: reason` comments. Pure; fuzzed by fuzz/fuzz_lint_ignore.cc.
//
// An ignore on the line before a statement (comment lines may stand between them) silences those
// rules for that statement. An ignore before the first statement that is followed by a blank line
// (or by no statement at all) silences them for the whole part. The reason is required.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace strata::lint {

struct Ignore {
  std::vector<std::string> rules;
  std::string reason;
  bool whole_part = false;
  std::size_t statement_begin = 0;  // the statement silenced (when !whole_part)
};

struct IgnoreProblem {
  std::size_t offset = 0;  // of the comment's `strata:lint-ignore`
  std::string message;
};

struct Ignores {
  std::vector<Ignore> ignores;
  std::vector<IgnoreProblem> problems;  // each becomes an L001 finding

  // True when `rule` is silenced for the statement that starts at `statement_begin`.
  bool Silences(std::string_view rule, std::size_t statement_begin) const;
};

// Reads every lint-ignore comment of `text` (one part of a migration). `statement_begins` holds
// the offset of each statement's first token, ascending. `known_rule` says whether an ID exists.
Ignores ParseIgnores(std::string_view text, const std::vector<std::size_t>& statement_begins,
                     bool (*known_rule)(std::string_view id));

}  // namespace strata::lint
