#include "store/job_list_query.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <optional>
#include <tuple>
#include <unordered_set>

#include "store/jobs_table.h"
#include "store/page_token.h"

namespace nightshift::store {
namespace {

constexpr std::array kAllStates = {core::JobState::kSubmitted, core::JobState::kPending,
                                   core::JobState::kRunnable,  core::JobState::kStarting,
                                   core::JobState::kRunning,   core::JobState::kSucceeded,
                                   core::JobState::kFailed};

// The smallest string greater than every string that starts with `prefix` (byte order), or
// nullopt when there is none (the prefix is all 0xFF bytes).
std::optional<std::string> PrefixUpperBound(std::string prefix) {
  while (!prefix.empty() && static_cast<unsigned char>(prefix.back()) == 0xFF) prefix.pop_back();
  if (prefix.empty()) return std::nullopt;
  prefix.back() = static_cast<char>(static_cast<unsigned char>(prefix.back()) + 1);
  return prefix;
}

// Collects the WHERE terms shared by every arm of the query, and their parameters.
class Filters {
 public:
  void Add(std::string term) { terms_ += " AND " + std::move(term); }
  void Add(std::string term, std::string name, std::variant<int64_t, std::string> value) {
    Add(std::move(term));
    AddParam(std::move(name), std::move(value));
  }
  void AddParam(std::string name, std::variant<int64_t, std::string> value) {
    params_.push_back({std::move(name), std::move(value)});
  }
  const std::string& terms() const { return terms_; }
  std::vector<SqlParam> TakeParams() { return std::move(params_); }

 private:
  std::string terms_;
  std::vector<SqlParam> params_;
};

// JOB_DEFINITION: "name" matches every revision ("name:" prefix), "name:rev" exactly, "prefix*"
// by prefix. Definition names are case-sensitive, as in AWS.
void AddDefinitionFilter(std::string_view pattern, Filters& filters) {
  if (pattern.empty() || pattern == "*") return;
  if (pattern.back() != '*' && pattern.find(':') != std::string_view::npos) {
    filters.Add("definition = :definition", ":definition", std::string(pattern));
    return;
  }
  std::string prefix(pattern.back() == '*' ? pattern.substr(0, pattern.size() - 1) : pattern);
  if (pattern.back() != '*') prefix += ':';
  std::optional<std::string> upper = PrefixUpperBound(prefix);
  filters.Add("definition >= :definition_from", ":definition_from", std::move(prefix));
  if (upper) filters.Add("definition < :definition_to", ":definition_to", std::move(*upper));
}

Result<Filters> BuildFilters(const JobQuery& query) {
  Filters filters;
  bool by_queue = !query.queue.empty();
  if (by_queue == !query.array_parent.empty()) {
    return Status::InvalidArgument("list jobs: give exactly one of a job queue or an array job");
  }
  if (by_queue) {
    filters.Add("queue = :selector", ":selector", query.queue);
    filters.Add("parent_id IS NULL");
  } else {
    filters.Add("parent_id = :selector", ":selector", query.array_parent);
  }
  if (!query.name_pattern.empty() && query.name_pattern != "*") {
    filters.Add("name LIKE :name ESCAPE '\\'", ":name", NameFilterToLike(query.name_pattern));
  }
  AddDefinitionFilter(query.definition_pattern, filters);
  if (query.created_before) filters.Add("created_at < :before", ":before", *query.created_before);
  if (query.created_after) filters.Add("created_at > :after", ":after", *query.created_after);
  if (!query.page_token.empty()) {
    Result<PageCursor> cursor = DecodePageToken(query.page_token);
    if (!cursor.ok()) return cursor.status();
    filters.Add("(created_at, id) < (:cursor_at, :cursor_id)");
    filters.AddParam(":cursor_at", cursor->created_at);
    filters.AddParam(":cursor_id", std::move(cursor->id));
  }
  return filters;
}

constexpr std::string_view kKeyOrder = " ORDER BY created_at DESC, id DESC LIMIT :limit";

// The keys (rowid, created_at, id) of the page's jobs in one state, newest first, read from the
// (…, state, created_at, id, …) index alone.
std::string StateArm(const std::string& filters, core::JobState state) {
  return "SELECT rowid AS row, created_at, id FROM jobs WHERE state = '" +
         std::string(core::JobStateName(state)) + "'" + filters + std::string(kKeyOrder);
}

// The keys of the page: for several states, one scan per state, each already in page order and
// cut at the limit, merged by sqlite and cut again. A page costs about `limit` index entries per
// state, however many jobs the queue holds in other states.
std::string PageKeys(const std::string& filters, const std::vector<core::JobState>& states) {
  if (states.size() == 1) return StateArm(filters, states[0]);
  std::string sql;
  for (core::JobState state : states) {
    if (!sql.empty()) sql += " UNION ALL ";
    sql += "SELECT * FROM (" + StateArm(filters, state) + ")";
  }
  return sql + std::string(kKeyOrder);
}

// Only the page's rows are read from the table, by rowid.
std::string PageQuery(const std::string& filters, const std::vector<core::JobState>& states) {
  return "SELECT " + QualifiedJobColumns("jobs") + " FROM (" + PageKeys(filters, states) +
         ") AS page CROSS JOIN jobs ON jobs.rowid = page.row "
         "ORDER BY page.created_at DESC, page.id DESC";
}

}  // namespace

std::string EncodePageToken(const PageCursor& cursor) {
  return HexEncode(std::to_string(cursor.created_at) + "|" + cursor.id);
}

Result<PageCursor> DecodePageToken(std::string_view token) {
  std::optional<std::string> text = HexDecode(token);
  if (!text) return InvalidPageToken();
  size_t bar = text->find('|');
  if (bar == std::string::npos || bar == 0 || bar + 1 == text->size()) return InvalidPageToken();
  PageCursor cursor;
  const char* end = text->data() + bar;
  auto [ptr, ec] = std::from_chars(text->data(), end, cursor.created_at);
  if (ec != std::errc() || ptr != end) return InvalidPageToken();
  cursor.id = text->substr(bar + 1);
  return cursor;
}

namespace {

bool EqualsIgnoringAsciiCase(std::string_view a, std::string_view b) {
  return std::ranges::equal(a, b, [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) ==
           std::tolower(static_cast<unsigned char>(y));
  });
}

bool NameMatches(std::string_view pattern, std::string_view name) {
  if (pattern.empty() || pattern == "*") return true;
  if (pattern.back() != '*') return EqualsIgnoringAsciiCase(pattern, name);
  pattern.remove_suffix(1);
  return name.size() >= pattern.size() &&
         EqualsIgnoringAsciiCase(pattern, name.substr(0, pattern.size()));
}

bool DefinitionMatches(std::string_view pattern, std::string_view definition) {
  if (pattern.empty() || pattern == "*") return true;
  if (pattern.back() == '*') return definition.starts_with(pattern.substr(0, pattern.size() - 1));
  if (pattern.find(':') != std::string_view::npos) return definition == pattern;
  return definition.size() > pattern.size() && definition.starts_with(pattern) &&
         definition[pattern.size()] == ':';
}

// Page order: newest first, then by id, descending.
bool Before(const core::Job& a, const core::Job& b) {
  return std::tie(a.created_at, a.id) > std::tie(b.created_at, b.id);
}

bool Before(const PageCursor& cursor, const core::Job& job) {
  return std::tie(cursor.created_at, cursor.id) > std::tie(job.created_at, job.id);
}

// The cursor of a page token; none for "" (the first page, or no next page).
std::optional<PageCursor> CursorOf(std::string_view token) {
  Result<PageCursor> cursor = DecodePageToken(token);
  if (!cursor.ok()) return std::nullopt;
  return std::move(cursor).value();
}

}  // namespace

bool MatchesJobQuery(const JobQuery& query, const core::Job& job) {
  if (!query.queue.empty() && (job.queue != query.queue || !job.parent_id.empty())) return false;
  if (!query.array_parent.empty() && job.parent_id != query.array_parent) return false;
  if (!query.states.empty() && query.states.count(job.state) == 0) return false;
  if (query.created_before && job.created_at >= *query.created_before) return false;
  if (query.created_after && job.created_at <= *query.created_after) return false;
  return NameMatches(query.name_pattern, job.name) &&
         DefinitionMatches(query.definition_pattern, job.definition);
}

void MergeIntoPage(const JobQuery& query, std::vector<core::Job> extra, JobPage& page) {
  const std::optional<PageCursor> start = CursorOf(query.page_token);
  const std::optional<PageCursor> end = CursorOf(page.next_token);
  std::unordered_set<std::string> listed;
  for (const core::Job& job : page.jobs) listed.insert(job.id);
  bool added = false;
  for (core::Job& job : extra) {
    if (start && !Before(*start, job)) continue;
    if (end && Before(*end, job)) continue;  // on a later page
    if (!listed.insert(job.id).second) continue;
    page.jobs.push_back(std::move(job));
    added = true;
  }
  if (!added) return;
  std::ranges::sort(page.jobs, [](const core::Job& a, const core::Job& b) { return Before(a, b); });
  const size_t limit = static_cast<size_t>(std::max(query.limit, 1));
  if (page.jobs.size() <= limit) return;
  page.jobs.resize(limit);
  page.next_token = EncodePageToken({page.jobs.back().created_at, page.jobs.back().id});
}

std::string NameFilterToLike(std::string_view pattern) {
  bool prefix = !pattern.empty() && pattern.back() == '*';
  if (prefix) pattern.remove_suffix(1);
  std::string like;
  for (char c : pattern) {
    if (c == '\\' || c == '%' || c == '_') like.push_back('\\');
    like.push_back(c);
  }
  if (prefix) like.push_back('%');
  return like;
}

Result<ListJobsSql> BuildListJobsSql(const JobQuery& query) {
  Result<Filters> filters = BuildFilters(query);
  if (!filters.ok()) return filters.status();
  std::vector<core::JobState> states(query.states.begin(), query.states.end());
  if (states.empty()) states.assign(kAllStates.begin(), kAllStates.end());
  ListJobsSql out;
  out.limit = std::max(query.limit, 1);
  out.sql = PageQuery(filters->terms(), states);
  out.params = filters->TakeParams();
  out.params.push_back({":limit", static_cast<int64_t>(out.limit) + 1});
  return out;
}

}  // namespace nightshift::store
