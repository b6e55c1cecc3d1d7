#include "pipeline/yaml_document.h"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/parser.h>

#include <sstream>

namespace nightshift::pipeline {

// Turns parser events into nodes: a stack of the open lists and maps; each finished node is
// appended to the innermost open one (maps alternate key and value) or becomes the document.
class YamlStreamBuilder : public YAML::EventHandler {
 public:
  explicit YamlStreamBuilder(YamlStream& stream) : stream_(stream) {}

  void OnDocumentStart(const YAML::Mark&) override {
    open_.clear();
    anchors_.clear();
  }
  void OnDocumentEnd() override {}

  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    Add(New(YamlNode::Kind::kNull, mark, anchor));
  }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    // The parser rejects aliases to anchors it has not seen; be defensive anyway.
    Add(anchor < anchors_.size() && anchors_[anchor] ? anchors_[anchor]
                                                     : New(YamlNode::Kind::kNull, mark, 0));
  }
  void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                const std::string& value) override {
    YamlNode* node = New(YamlNode::Kind::kScalar, mark, anchor);
    node->scalar = value;
    Add(node);
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    open_.push_back(New(YamlNode::Kind::kList, mark, anchor));
  }
  void OnSequenceEnd() override { Close(); }
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    open_.push_back(New(YamlNode::Kind::kMap, mark, anchor));
  }
  void OnMapEnd() override { Close(); }

 private:
  YamlNode* New(YamlNode::Kind kind, const YAML::Mark& mark, YAML::anchor_t anchor) {
    YamlNode& node = stream_.nodes_.emplace_back();
    node.kind = kind;
    node.mark = mark;
    if (anchor != YAML::NullAnchor) {
      if (anchors_.size() <= anchor) anchors_.resize(anchor + 1, nullptr);
      anchors_[anchor] = &node;
    }
    return &node;
  }

  void Add(const YamlNode* node) {
    if (open_.empty()) {
      stream_.documents_.push_back(node);
    } else {
      open_.back()->children.push_back(node);
    }
  }

  void Close() {
    const YamlNode* done = open_.back();
    open_.pop_back();
    Add(done);
  }

  YamlStream& stream_;
  std::vector<YamlNode*> open_;
  std::vector<const YamlNode*> anchors_;  // by yaml-cpp's anchor number, per document
};

SourcePos PosOf(const YAML::Mark& mark) {
  if (mark.is_null() || mark.line < 0 || mark.column < 0) return {};
  return {mark.line + 1, mark.column + 1};
}

namespace {

// yaml-cpp 0.7 loops forever on a token no rule consumes (a ',' outside a flow collection):
// each HandleNextDocument reports another empty document at the same place, consuming nothing.
bool IsStuck(const std::vector<const YamlNode*>& documents) {
  if (documents.size() < 2) return false;
  const YamlNode& last = *documents.back();
  const YamlNode& before = *documents[documents.size() - 2];
  return last.IsNull() && before.IsNull() && last.mark.pos == before.mark.pos;
}

}  // namespace

std::variant<YamlStream, YamlError> ParseYaml(std::string_view text, size_t max_documents) {
  YamlStream stream;
  try {
    std::istringstream in{std::string(text)};
    YAML::Parser parser(in);
    YamlStreamBuilder builder(stream);
    while (stream.documents().size() < max_documents && parser.HandleNextDocument(builder)) {
      if (IsStuck(stream.documents())) {
        const YAML::Mark& mark = stream.documents().back()->mark;
        const size_t at = static_cast<size_t>(mark.pos);
        return YamlError{PosOf(mark), "YAML syntax error: unexpected '" +
                                          std::string(text.substr(at < text.size() ? at : 0, 1)) +
                                          "'"};
      }
    }
  } catch (const YAML::Exception& e) {
    return YamlError{PosOf(e.mark), "YAML syntax error: " + e.msg};
  } catch (const std::exception& e) {
    return YamlError{{}, std::string("YAML error: ") + e.what()};
  }
  return stream;
}

}  // namespace nightshift::pipeline
