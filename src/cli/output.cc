#include "cli/output.h"

#include <chrono>
#include <ctime>
#include <iostream>

#include "cli/run_display.h"

namespace nightshift::cli {

std::string Text(const Json& v) {
  if (v.is_null()) return "-";
  if (v.is_string()) return v.get<std::string>();
  return v.dump();
}

std::string TimeText(const Json& epoch_ms) {
  if (!epoch_ms.is_number()) return "-";
  const std::time_t seconds = static_cast<std::time_t>(epoch_ms.get<int64_t>() / 1000);
  std::tm tm{};
  localtime_r(&seconds, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
  return buf;
}

std::string DurationText(const Json& start, const Json& stop) {
  if (!start.is_number()) return "-";
  const TimeMs end = stop.is_number() ? stop.get<TimeMs>()
                                      : std::chrono::duration_cast<std::chrono::milliseconds>(
                                            std::chrono::system_clock::now().time_since_epoch())
                                            .count();
  return FormatDuration(end - start.get<TimeMs>());
}

void Print(const ClientOptions& client, const Json& answer, const TablePrinter& table) {
  if (client.output == "json" || !table) {
    std::cout << answer.dump(2) << "\n";
  } else {
    table(answer);
  }
}

int CallAndPrint(const ClientOptions& client, const std::string& method, const std::string& path,
                 const std::string& body, const TablePrinter& table) {
  Result<Json> answer = Call(client, method, path, body);
  if (!answer.ok()) return ReportError(answer.status());
  Print(client, *answer, table);
  return 0;
}

}  // namespace nightshift::cli
