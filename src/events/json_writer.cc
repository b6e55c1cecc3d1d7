#include "events/json_writer.h"

#include <charconv>
#include <cstring>
#include <iterator>

namespace nightshift::events {
namespace {

constexpr char kHex[] = "0123456789abcdef";
constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

// The length of the valid UTF-8 sequence starting at text[i], or 0 if it is not one.
size_t Utf8Length(std::string_view text, size_t i) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char c = byte(i);
  size_t n = c >= 0xF0 && c <= 0xF4 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 && c <= 0xDF ? 2 : 0;
  if (c >= 0xF5 || n == 0 || i + n > text.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
  }
  const unsigned char c1 = byte(i + 1);
  if ((c == 0xE0 && c1 < 0xA0) || (c == 0xED && c1 > 0x9F) || (c == 0xF0 && c1 < 0x90) ||
      (c == 0xF4 && c1 > 0x8F)) {
    return 0;  // overlong, a surrogate, or past U+10FFFF
  }
  return n;
}

// Printable ASCII that JSON takes as it is.
bool IsPlain(unsigned char c) { return c >= 0x20 && c < 0x80 && c != '"' && c != '\\'; }

// The length of the longest prefix of `text` that is plain (IsPlain). Eight bytes at a time: a
// word holds a byte that is not plain when one of its bytes is below 0x20, has its top bit set,
// or equals '"' or '\\' (the classic "has a byte less than n" and "has a zero byte" tests, which
// are exact about whether any byte matches; the byte is then found one at a time).
size_t PlainPrefix(std::string_view text) {
  constexpr uint64_t kOnes = 0x0101010101010101ULL;
  constexpr uint64_t kTops = 0x8080808080808080ULL;
  size_t i = 0;
  for (; i + sizeof(uint64_t) <= text.size(); i += sizeof(uint64_t)) {
    uint64_t w;
    std::memcpy(&w, text.data() + i, sizeof w);
    const uint64_t quote = w ^ (kOnes * '"');
    const uint64_t backslash = w ^ (kOnes * '\\');
    const uint64_t below_space = (w - kOnes * 0x20) & ~w;
    const uint64_t is_quote = (quote - kOnes) & ~quote;
    const uint64_t is_backslash = (backslash - kOnes) & ~backslash;
    if ((below_space | is_quote | is_backslash | w) & kTops) break;
  }
  while (i < text.size() && IsPlain(static_cast<unsigned char>(text[i]))) ++i;
  return i;
}

// Appends the JSON for the first character of `text`, which is not plain; returns its length in
// bytes. Bytes that are not valid UTF-8 become U+FFFD, one at a time.
size_t AppendEscapedFirst(std::string& out, std::string_view text) {
  const auto c = static_cast<unsigned char>(text[0]);
  if (c >= 0x80) {
    const size_t n = Utf8Length(text, 0);
    if (n == 0) {
      out += kReplacement;
      return 1;
    }
    out.append(text.substr(0, n));
    return n;
  }
  switch (c) {
    case '"': out += "\\\""; break;
    case '\\': out += "\\\\"; break;
    case '\b': out += "\\b"; break;
    case '\f': out += "\\f"; break;
    case '\n': out += "\\n"; break;
    case '\r': out += "\\r"; break;
    case '\t': out += "\\t"; break;
    default:  // another control character
      out += "\\u00";
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xF]);
  }
  return 1;
}

// Appends `"text"` and then `suffix` (if not '\0') to `out`; `text` is plain. A short one (a key,
// most values) is put together on the stack and appended in one call.
void AppendQuoted(std::string& out, std::string_view text, char suffix) {
  char quoted[64];
  if (text.size() + 3 > sizeof quoted) {
    out.push_back('"');
    out.append(text);
    out.push_back('"');
    if (suffix) out.push_back(suffix);
    return;
  }
  char* p = quoted;
  *p++ = '"';
  std::memcpy(p, text.data(), text.size());
  p += text.size();
  *p++ = '"';
  if (suffix) *p++ = suffix;
  out.append(quoted, static_cast<size_t>(p - quoted));
}

}  // namespace

JsonWriter& JsonWriter::Open(char bracket) {
  BeforeValue();
  out_.push_back(bracket);
  first_.push_back(1);
  return *this;
}

JsonWriter& JsonWriter::Close(char bracket) {
  out_.push_back(bracket);
  first_.pop_back();
  return *this;
}

void JsonWriter::BeforeValue() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (first_.empty()) return;
  if (!first_.back()) out_.push_back(',');
  first_.back() = 0;
}

JsonWriter& JsonWriter::Key(PlainKey key) {
  BeforeValue();
  AppendQuoted(out_, key.text(), ':');
  after_key_ = true;
  return *this;
}

JsonWriter& JsonWriter::DataKey(std::string_view key) {
  BeforeValue();
  Escaped(key);
  out_.push_back(':');
  after_key_ = true;
  return *this;
}

JsonWriter& JsonWriter::String(std::string_view value) {
  BeforeValue();
  Escaped(value);
  return *this;
}

JsonWriter& JsonWriter::Int(int64_t value) {
  BeforeValue();
  char digits[24];
  const auto end = std::to_chars(std::begin(digits), std::end(digits), value).ptr;
  out_.append(digits, static_cast<size_t>(end - digits));
  return *this;
}

JsonWriter& JsonWriter::Null() {
  BeforeValue();
  out_ += "null";
  return *this;
}

JsonWriter& JsonWriter::Raw(std::string_view json) {
  BeforeValue();
  out_ += json;
  return *this;
}

JsonWriter& JsonWriter::StringMap(const std::map<std::string, std::string>& map) {
  BeginObject();
  for (const auto& [key, value] : map) {
    DataKey(key);
    String(value);
  }
  return EndObject();
}

JsonWriter& JsonWriter::StringArray(const std::vector<std::string>& values) {
  BeginArray();
  for (const std::string& value : values) String(value);
  return EndArray();
}

void JsonWriter::Escaped(std::string_view text) {
  size_t plain = PlainPrefix(text);
  if (plain == text.size()) return AppendQuoted(out_, text, '\0');  // most text
  out_.push_back('"');
  for (;;) {
    out_.append(text.data(), plain);
    text.remove_prefix(plain);
    if (text.empty()) break;
    text.remove_prefix(AppendEscapedFirst(out_, text));
    plain = PlainPrefix(text);
  }
  out_.push_back('"');
}

}  // namespace nightshift::events
