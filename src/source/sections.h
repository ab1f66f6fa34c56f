// The inside of a migration file: -- migrate:up / -- migrate:down sections (dbmate's form) and
// strata's header directives (-- strata:no-transaction). Pure functions, no I/O.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

#include "strata/status.h"

namespace strata::source {

struct SectionRange {
  std::size_t begin = 0, end = 0;  // byte range of the SQL in the file text
  bool no_transaction = false;
  bool no_split = false;  // -- strata:no-split (PostgreSQL: send the part as one string)
  bool allow_data_loss = false;  // -- strata:allow-data-loss (the data guard asks nothing)
  // -- strata:checkpoint: the file stands for the versions its `-- strata:covers` lines list
  // (source/checkpoint.h reads them); only a fresh database applies it.
  bool checkpoint = false;
};

struct FileSections {
  std::optional<SectionRange> up;
  std::optional<SectionRange> down;
};

// Splits `text` (a whole file, BOM removed). With `sectioned`, the file may hold
// `-- migrate:up` and `-- migrate:down` marker lines (dbmate's `transaction:false` option is
// honoured); a file without markers is all "up". Without `sectioned` the whole file is one part.
// Directives (`-- strata:NAME`) must be in the comment header before the first statement of their
// part; in a sectioned file the header before the first marker applies to both parts.
// Errors are kInvalidArgument with a byte offset (Status::sql_offset) into `text`; the first is a
// NUL byte anywhere in `text` (the engines read SQL as C strings), located at the first NUL.
Result<FileSections> SplitSections(std::string_view text, bool sectioned);

}  // namespace strata::source
