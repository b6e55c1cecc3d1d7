#include "pipeline/template.h"

#include <gtest/gtest.h>

#include <array>

#include "pipeline/spec.h"

namespace nightshift::pipeline {
namespace {

TemplateContext Context() {
  TemplateContext context;
  context.params = {{"region", "berlin"}, {"day", ""}};
  context.ds = "2026-03-29";
  context.logical_date = "2026-03-29T02:00:00+02:00";
  context.data_interval_start = "2026-03-28T02:00:00+01:00";
  context.data_interval_end = "2026-03-29T02:00:00+02:00";
  context.run_id = "run-7";
  return context;
}

std::string Render(std::string_view text) {
  Result<std::string> rendered = RenderTemplate(text, Context());
  EXPECT_TRUE(rendered.ok()) << rendered.status().ToString();
  return rendered.ok() ? *rendered : "";
}

std::string RenderError(std::string_view text) {
  Result<std::string> rendered = RenderTemplate(text, Context());
  EXPECT_FALSE(rendered.ok()) << text;
  EXPECT_EQ(rendered.status().code(), StatusCode::kInvalidArgument);
  return rendered.status().message();
}

TEST(TemplateTest, RendersEveryName) {
  EXPECT_EQ(Render("./run.sh {{ ds }} {{params.region}} {{  run_id\t}}"),
            "./run.sh 2026-03-29 berlin run-7");
  EXPECT_EQ(Render("{{ logical_date }}|{{ data_interval_start }}|{{ data_interval_end }}"),
            "2026-03-29T02:00:00+02:00|2026-03-28T02:00:00+01:00|2026-03-29T02:00:00+02:00");
  EXPECT_EQ(Render("[{{ params.day }}]"), "[]");
  EXPECT_EQ(Render("no placeholders } }} {"), "no placeholders } }} {");
  EXPECT_EQ(Render(""), "");
}

TEST(TemplateTest, RenderRejectsBadPlaceholdersNamingThemAndTheirOffset) {
  EXPECT_EQ(RenderError("x {{ dss }}"),
            "placeholder '{{ dss }}' at offset 2: unknown name 'dss' (did you mean 'ds'?)");
  EXPECT_EQ(RenderError("{{ whatever }}"),
            "placeholder '{{ whatever }}' at offset 0: unknown name 'whatever'; expected ds, "
            "logical_date, data_interval_start, data_interval_end, run_id or params.NAME");
  EXPECT_EQ(RenderError("run {{ ds"),
            "'{{' at offset 4 has no closing '}}' ('{{' always starts a placeholder)");
  EXPECT_EQ(RenderError("{{ a b }}"),
            "placeholder '{{ a b }}' at offset 0: expected {{ name }} with name ds, logical_date, "
            "data_interval_start, data_interval_end, run_id or params.NAME");
  EXPECT_EQ(RenderError("{{}}"),
            "placeholder '{{}}' at offset 0: expected {{ name }} with name ds, logical_date, "
            "data_interval_start, data_interval_end, run_id or params.NAME");
  EXPECT_EQ(RenderError("{{ params.zone }}"),
            "placeholder '{{ params.zone }}' at offset 0: param 'zone' has no value");
  EXPECT_EQ(RenderError("{{ params. }}"),
            "placeholder '{{ params. }}' at offset 0: unknown name 'params.'; expected ds, "
            "logical_date, data_interval_start, data_interval_end, run_id or params.NAME");
}

TEST(TemplateTest, SplitKeepsEveryCharacter) {
  const std::string_view text = "a {{ ds }}{{ x y }} b {{ tail";
  std::string joined;
  std::vector<TemplatePiece::Kind> kinds;
  for (const TemplatePiece& piece : SplitTemplate(text)) {
    EXPECT_EQ(text.substr(piece.offset, piece.raw.size()), piece.raw);
    joined += piece.raw;
    kinds.push_back(piece.kind);
  }
  EXPECT_EQ(joined, text);
  using Kind = TemplatePiece::Kind;
  EXPECT_EQ(kinds, (std::vector<Kind>{Kind::kText, Kind::kPlaceholder, Kind::kMalformed,
                                      Kind::kText, Kind::kUnclosed}));
}

TEST(TemplateTest, CheckReportsEveryBadPlaceholderAndUndeclaredParams) {
  constexpr std::array<std::string_view, 2> kParams = {"day", "region"};
  EXPECT_TRUE(CheckTemplate("{{ ds }} {{ params.region }}", kParams).empty());
  EXPECT_TRUE(CheckTemplate("plain text", kParams).empty());
  EXPECT_EQ(CheckTemplate("{{ params.regoin }} {{ rn_id }} {{ ds", kParams),
            (std::vector<std::string>{
                "placeholder '{{ params.regoin }}' at offset 0: no param 'regoin' is declared in "
                "params (did you mean 'region'?)",
                "placeholder '{{ rn_id }}' at offset 20: unknown name 'rn_id' (did you mean "
                "'run_id'?)",
                "'{{' at offset 32 has no closing '}}' ('{{' always starts a placeholder)"}));
}

}  // namespace
}  // namespace nightshift::pipeline
