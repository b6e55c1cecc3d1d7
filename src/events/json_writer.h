// JsonWriter: appends JSON text to a string as it goes, for the hot path where building a JSON
// object first costs more than the rest of the work (one event per job transition, thousands a
// second). Commas are placed by the writer; strings are escaped as JSON requires, and bytes that
// are not valid UTF-8 become U+FFFD, so any job name, reason or command can be written.
// The caller keeps the structure balanced (every Begin has its End; a Key before each value in
// an object); the writer does not check it.
// Thread-safety: none; one per document.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace nightshift::events {

class JsonWriter {
 public:
  // An object key written in the source: printable ASCII that JSON takes as it is, which the
  // compiler checks, so that the writer copies it without looking at it. Keys that come from
  // data (tags, parameters) go through DataKey or StringMap, which escape them.
  class PlainKey {
   public:
    // Implicit, so that w.Key("jobId") reads as it does.
    template <size_t N>
    consteval PlainKey(const char (&key)[N])  // NOLINT(google-explicit-constructor)
        : text_(key, N - 1) {
      for (char c : text_) {
        const bool plain = c >= 0x20 && c < 0x7f && c != '"' && c != '\\';
        if (!plain) throw "JSON escapes this key: use StringMap";
      }
    }
    std::string_view text() const { return text_; }

   private:
    std::string_view text_;
  };

  explicit JsonWriter(std::string& out) : out_(out) {}

  JsonWriter& BeginObject() { return Open('{'); }
  JsonWriter& EndObject() { return Close('}'); }
  JsonWriter& BeginArray() { return Open('['); }
  JsonWriter& EndArray() { return Close(']'); }
  JsonWriter& Key(PlainKey key);
  // A key that comes from data: escaped like a string.
  JsonWriter& DataKey(std::string_view key);
  JsonWriter& String(std::string_view value);
  JsonWriter& Int(int64_t value);
  JsonWriter& Null();
  // JSON text written as it is (a value rendered elsewhere).
  JsonWriter& Raw(std::string_view json);
  // {"k": "v", ...} in key order.
  JsonWriter& StringMap(const std::map<std::string, std::string>& map);
  JsonWriter& StringArray(const std::vector<std::string>& values);

 private:
  JsonWriter& Open(char bracket);
  JsonWriter& Close(char bracket);
  void BeforeValue();
  void Escaped(std::string_view text);

  std::string& out_;
  std::vector<char> first_;  // per open object or array: no element written yet
  bool after_key_ = false;   // the next value belongs to the key just written
};

}  // namespace nightshift::events
