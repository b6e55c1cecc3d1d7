// ListJobs as SQL: turns a JobQuery into a statement text and the values to bind to it, and
// encodes the keyset pagination tokens.
//
// Pages are newest first: ORDER BY created_at DESC, id DESC. A page token is the (created_at, id)
// of the last job of the previous page, and the next page starts strictly after it, so jobs
// with equal created_at are neither skipped nor repeated, and jobs committed between two page
// requests do not shift the pages.
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "store/store.h"
#include "util/status.h"

namespace nightshift::store {

struct PageCursor {
  TimeMs created_at = 0;
  std::string id;
};

std::string EncodePageToken(const PageCursor& cursor);
// Errors: kInvalidArgument "invalid nextToken" for anything EncodePageToken did not produce.
Result<PageCursor> DecodePageToken(std::string_view token);

struct SqlParam {
  std::string name;  // ":name" as written in the SQL
  std::variant<int64_t, std::string> value;
};

struct ListJobsSql {
  // Depends only on the query's shape (which filters, which states), not on its values, so a
  // prepared statement can be cached by this text. Selects the columns of kJobColumns
  // (jobs_table.h), in that order.
  std::string sql;
  std::vector<SqlParam> params;
  // Jobs wanted on the page; the statement returns up to limit + 1 rows, the extra one telling
  // that there is a next page.
  int limit = 1;
};

// Errors: kInvalidArgument when the query selects by neither or both of queue and array_parent,
// or its page token is invalid ("invalid nextToken").
Result<ListJobsSql> BuildListJobsSql(const JobQuery& query);

// Whether `job` is one `query` lists: its selector, filters and states (the page token aside).
// The same rules as the statement BuildListJobsSql makes.
bool MatchesJobQuery(const JobQuery& query, const core::Job& job);

// Adds to `page`, a page the store answered for `query`, the `extra` jobs that belong on it: the
// ones after the query's page token and, unless `page` is the last page, not after the page's
// end. Jobs already on the page are skipped; `extra` is not filtered otherwise (see
// MatchesJobQuery). The page stays in page order and at most query.limit long; a page cut to the
// limit gets the next_token of its new last job, so the jobs cut off open the next page.
void MergeIntoPage(const JobQuery& query, std::vector<core::Job> extra, JobPage& page);

// The LIKE pattern (escape character '\') for a JOB_NAME filter: the name matched whole, or, with
// a trailing '*', as a prefix. sqlite's LIKE ignores the case of ASCII letters.
std::string NameFilterToLike(std::string_view pattern);

}  // namespace nightshift::store
