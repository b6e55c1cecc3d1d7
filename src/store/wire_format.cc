#include "store/wire_format.h"

#include <cstring>

namespace nightshift::store::wire {
namespace {

constexpr size_t kMaxVarintBytes = 10;

uint64_t ZigZag(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}
int64_t UnZigZag(uint64_t v) { return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1); }

size_t PutVarint(char* dst, uint64_t value) {
  size_t n = 0;
  while (value >= 0x80) {
    dst[n++] = static_cast<char>((value & 0x7F) | 0x80);
    value >>= 7;
  }
  dst[n++] = static_cast<char>(value);
  return n;
}

}  // namespace

void Writer::Varint(uint64_t value) {
  char buf[kMaxVarintBytes];
  out_.append(buf, PutVarint(buf, value));
}

void Writer::Tag(int field, WireType type) {
  Varint((static_cast<uint64_t>(field) << 3) | static_cast<uint64_t>(type));
}

void Writer::Uint(int field, uint64_t value) {
  Tag(field, WireType::kVarint);
  Varint(value);
}

void Writer::Int(int field, int64_t value) { Uint(field, ZigZag(value)); }

void Writer::Double(int field, double value) {
  Tag(field, WireType::kFixed64);
  uint64_t bits;
  std::memcpy(&bits, &value, sizeof bits);
  char buf[8];
  for (int i = 0; i < 8; ++i) buf[i] = static_cast<char>(bits >> (8 * i));
  out_.append(buf, 8);
}

void Writer::Bytes(int field, std::string_view value) {
  Tag(field, WireType::kBytes);
  Varint(value.size());
  out_.append(value);
}

size_t Writer::BeginNested(int field) {
  Tag(field, WireType::kBytes);
  out_.push_back('\0');  // one-byte length placeholder, widened in EndNested if needed
  return out_.size() - 1;
}

void Writer::EndNested(size_t mark) {
  size_t length = out_.size() - mark - 1;
  char buf[kMaxVarintBytes];
  size_t n = PutVarint(buf, length);
  // Nested documents are small; the rare one over 127 bytes costs a memmove of its own bytes.
  out_.replace(mark, 1, buf, n);
}

bool Reader::ReadVarint(uint64_t& value) {
  value = 0;
  for (int shift = 0; shift < 64 && pos_ < in_.size(); shift += 7) {
    auto byte = static_cast<uint8_t>(in_[pos_++]);
    value |= static_cast<uint64_t>(byte & 0x7F) << shift;
    if ((byte & 0x80) == 0) return true;
  }
  Fail("truncated or overlong varint");
  return false;
}

bool Reader::Next() {
  if (!status_.ok() || pos_ >= in_.size()) return false;
  uint64_t tag;
  if (!ReadVarint(tag)) return false;
  field_ = static_cast<int>(tag >> 3);
  type_ = static_cast<WireType>(tag & 7);
  if (field_ == 0) Fail("field number 0");
  switch (type_) {
    case WireType::kVarint:
      ReadVarint(scalar_);
      break;
    case WireType::kFixed64:
      if (in_.size() - pos_ < 8) {
        Fail("truncated fixed64");
        break;
      }
      scalar_ = 0;
      for (int i = 0; i < 8; ++i)
        scalar_ |= static_cast<uint64_t>(static_cast<uint8_t>(in_[pos_ + i])) << (8 * i);
      pos_ += 8;
      break;
    case WireType::kBytes: {
      uint64_t length;
      if (!ReadVarint(length)) break;
      if (length > in_.size() - pos_) {
        Fail("truncated bytes");
        break;
      }
      bytes_ = in_.substr(pos_, length);
      pos_ += length;
      break;
    }
    default:
      Fail("unknown wire type " + std::to_string(tag & 7));
  }
  return status_.ok();
}

bool Reader::Expect(WireType type) {
  if (type_ == type) return true;
  Fail("field " + std::to_string(field_) + " has wire type " +
       std::to_string(static_cast<int>(type_)) + ", expected " +
       std::to_string(static_cast<int>(type)));
  return false;
}

uint64_t Reader::Uint() { return Expect(WireType::kVarint) ? scalar_ : 0; }

int64_t Reader::Int() { return Expect(WireType::kVarint) ? UnZigZag(scalar_) : 0; }

double Reader::Double() {
  if (!Expect(WireType::kFixed64)) return 0;
  double value;
  std::memcpy(&value, &scalar_, sizeof value);
  return value;
}

std::string_view Reader::Bytes() { return Expect(WireType::kBytes) ? bytes_ : std::string_view(); }

void Reader::Fail(std::string_view what) {
  if (!status_.ok()) return;  // keep the first error
  status_ = Status::Internal("corrupt document at byte " + std::to_string(pos_) + ": " +
                             std::string(what));
}

void Reader::Propagate(const Reader& nested) {
  if (status_.ok() && !nested.status_.ok()) status_ = nested.status_;
}

void WriteStringMap(Writer& writer, int field, const std::map<std::string, std::string>& map) {
  for (const auto& [key, value] : map) {
    size_t mark = writer.BeginNested(field);
    writer.Bytes(1, key);
    writer.Bytes(2, value);
    writer.EndNested(mark);
  }
}

void ReadStringMapEntry(Reader& reader, std::map<std::string, std::string>& map) {
  std::string key;
  std::string value;
  ReadNested(reader, [&](Reader& entry) {
    if (entry.field() == 1) key = entry.String();
    if (entry.field() == 2) value = entry.String();
  });
  map.insert_or_assign(std::move(key), std::move(value));
}

}  // namespace nightshift::store::wire
