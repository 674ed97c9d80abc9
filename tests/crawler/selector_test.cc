#include "crawler/selector.h"

#include <string>
#include <vector>

#include "crawler/html.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace aio::crawler {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

std::vector<std::string> texts(std::string_view css, std::string_view html) {
  absl::StatusOr<Selector> s = Selector::parse(css);
  EXPECT_TRUE(s.ok()) << css << ": " << s.status();
  if (!s.ok()) return {"<bad selector>"};
  return select_texts(Document::parse(html), *s);
}

std::string parse_error(std::string_view css) {
  absl::StatusOr<Selector> s = Selector::parse(css);
  EXPECT_FALSE(s.ok()) << css;
  return s.ok() ? "" : std::string(s.status().message());
}

constexpr std::string_view kDoctype = "<!DOCTYPE html>";

TEST(SelectorTest, TheTutorialSelector) {
  std::string html = std::string(kDoctype) +
                     "<h3 class='info-title shuang'>One</h3>"
                     "<h3 class=' shuang\tinfo-title\n'>Two</h3>"
                     "<h3 class='info-title'>not shuang</h3>"
                     "<h3 class='shuang'>not info-title</h3>"
                     "<h3 class='info-title-shuang'>look-alike</h3>"
                     "<h3 class='info-titleshuang'>look-alike</h3>"
                     "<div class='info-title shuang'>not h3</div>"
                     "<H3 CLASS='info-title shuang x'>Three</H3>";
  EXPECT_THAT(texts("h3.info-title.shuang", html),
              ElementsAre("One", "Two", "Three"));
  EXPECT_THAT(texts("h3.shuang.info-title", html),
              ElementsAre("One", "Two", "Three"));
}

TEST(SelectorTest, TypeSelectorsAreCaseInsensitive) {
  EXPECT_THAT(texts("TITLE", "<title>T</title>"), ElementsAre("T"));
  EXPECT_THAT(texts("my-Widget", "<MY-WIDGET>w</my-widget>"), ElementsAre("w"));
}

TEST(SelectorTest, ClassesAreCaseSensitiveInStandardsMode) {
  std::string html = std::string(kDoctype) + "<p class=Foo>x</p>";
  EXPECT_THAT(texts(".foo", html), IsEmpty());
  EXPECT_THAT(texts(".Foo", html), ElementsAre("x"));
}

TEST(SelectorTest, ClassesAndIdsIgnoreCaseInQuirksMode) {
  EXPECT_THAT(texts(".foo", "<p class=Foo>x</p>"), ElementsAre("x"));
  EXPECT_THAT(texts("#bar", "<p id=BAR>y</p>"), ElementsAre("y"));
}

TEST(SelectorTest, IdMatchesTheWholeAttribute) {
  std::string html = std::string(kDoctype) +
                     "<p id=main>a</p><p id='main x'>b</p><p id=mainx>c</p>";
  EXPECT_THAT(texts("#main", html), ElementsAre("a"));
  EXPECT_THAT(texts("p#main", html), ElementsAre("a"));
  EXPECT_THAT(texts("div#main", html), IsEmpty());
}

TEST(SelectorTest, AttributeSelectors) {
  std::string html = std::string(kDoctype) +
                     "<a href='/x' rel=next lang=en-US data-k='a b'>1</a>"
                     "<a rel=prev lang=en>2</a><a>3</a>";
  EXPECT_THAT(texts("[href]", html), ElementsAre("1"));
  EXPECT_THAT(texts("a[HREF]", html), ElementsAre("1"));
  EXPECT_THAT(texts("[rel=next]", html), ElementsAre("1"));
  EXPECT_THAT(texts("[rel=\"prev\"]", html), ElementsAre("2"));
  EXPECT_THAT(texts("[rel='prev']", html), ElementsAre("2"));
  EXPECT_THAT(texts("[rel = prev]", html), ElementsAre("2"));
  EXPECT_THAT(texts("[rel=Next]", html), IsEmpty());
  EXPECT_THAT(texts("[rel=Next i]", html), ElementsAre("1"));
  EXPECT_THAT(texts("[rel=ne]", html), IsEmpty());
  EXPECT_THAT(texts("[lang|=en]", html), ElementsAre("1", "2"));
  EXPECT_THAT(texts("[data-k~=b]", html), ElementsAre("1"));
  EXPECT_THAT(texts("[data-k~='a b']", html), IsEmpty());
  EXPECT_THAT(texts("[href^='/']", html), ElementsAre("1"));
  EXPECT_THAT(texts("[href$=x]", html), ElementsAre("1"));
  EXPECT_THAT(texts("[rel*=e]", html), ElementsAre("1", "2"));
  EXPECT_THAT(texts("[rel^='']", html), IsEmpty());
  EXPECT_THAT(texts("[href][rel=next]", html), ElementsAre("1"));
}

TEST(SelectorTest, DescendantCombinator) {
  std::string html = std::string(kDoctype) +
                     "<div class=c><section><h3>deep</h3></section></div>"
                     "<h3>outside</h3><div><h3>other div</h3></div>";
  EXPECT_THAT(texts("div.c h3", html), ElementsAre("deep"));
  EXPECT_THAT(texts("div h3", html), ElementsAre("deep", "other div"));
  EXPECT_THAT(texts("body  div \n h3", html), ElementsAre("deep", "other div"));
}

TEST(SelectorTest, ChildCombinator) {
  std::string html = std::string(kDoctype) +
                     "<div class=c><h3>child</h3><section><h3>grandchild</h3>"
                     "</section></div>";
  EXPECT_THAT(texts("div.c > h3", html), ElementsAre("child"));
  EXPECT_THAT(texts("div.c>h3", html), ElementsAre("child"));
  EXPECT_THAT(texts("div > section > h3", html), ElementsAre("grandchild"));
  EXPECT_THAT(texts("div.c > section h3", html), ElementsAre("grandchild"));
}

// The right-to-left matcher must backtrack over a descendant combinator when
// a child combinator to its left fails for the nearest candidate.
TEST(SelectorTest, MixedCombinatorsBacktrack) {
  std::string html = std::string(kDoctype) +
                     "<div class=a><div class=b><p><div class=b><span>s"
                     "</span></div></p></div></div>";
  EXPECT_THAT(texts(".a > .b span", html), ElementsAre("s"));
  EXPECT_THAT(texts(".a > .b > span", html), IsEmpty());
}

TEST(SelectorTest, ListsMatchInDocumentOrderOnce) {
  std::string html = std::string(kDoctype) +
                     "<h2>b</h2><h1>a</h1><h2 class=x>c</h2>";
  EXPECT_THAT(texts("h1, h2", html), ElementsAre("b", "a", "c"));
  EXPECT_THAT(texts("h2, .x", html), ElementsAre("b", "c"));
}

TEST(SelectorTest, UniversalSelector) {
  std::string html = std::string(kDoctype) + "<p><b>1</b><i>2</i></p>";
  EXPECT_THAT(texts("p > *", html), ElementsAre("1", "2"));
}

TEST(SelectorTest, EscapesInIdentifiers) {
  std::string html = std::string(kDoctype) +
                     "<p class='a.b'>dot</p><p id='123'>num</p>";
  EXPECT_THAT(texts(".a\\.b", html), ElementsAre("dot"));
  EXPECT_THAT(texts("#\\31 23", html), ElementsAre("num"));
  EXPECT_THAT(texts("#123", html), ElementsAre("num"));
}

TEST(SelectorTest, OneTextPerMatchIncludingEmptyAndNested) {
  std::string html = std::string(kDoctype) +
                     "<div>outer <div>inner</div></div><div></div>";
  EXPECT_THAT(texts("div", html), ElementsAre("outer inner", "inner", ""));
}

TEST(SelectorTest, MatchesNothingInTextCommentsOrScript) {
  std::string html = std::string(kDoctype) +
                     "<!-- <h3 class=t>c</h3> --><script><h3 class=t>s</h3>"
                     "</script><p>&lt;h3 class=t&gt;</p>";
  EXPECT_THAT(texts("h3.t", html), IsEmpty());
}

TEST(SelectorTest, ErrorsSayWhereAndWhat) {
  EXPECT_THAT(parse_error(""), HasSubstr("expected a selector"));
  EXPECT_THAT(parse_error("   "), HasSubstr("expected a selector"));
  EXPECT_THAT(parse_error("h3..x"), HasSubstr("at position 3"));
  EXPECT_THAT(parse_error("h3..x"), HasSubstr("class name"));
  EXPECT_THAT(parse_error("h3."), HasSubstr("class name"));
  EXPECT_THAT(parse_error("#"), HasSubstr("id"));
  EXPECT_THAT(parse_error("a,"), HasSubstr("expected a selector"));
  EXPECT_THAT(parse_error(",a"), HasSubstr("position 0"));
  EXPECT_THAT(parse_error("a >"), HasSubstr("after the combinator"));
  EXPECT_THAT(parse_error("a > > b"), HasSubstr("after the combinator"));
  EXPECT_THAT(parse_error("a + b"), HasSubstr("sibling combinator '+'"));
  EXPECT_THAT(parse_error("a ~ b"), HasSubstr("sibling combinator '~'"));
  EXPECT_THAT(parse_error("a:hover"), HasSubstr("pseudo-classes"));
  EXPECT_THAT(parse_error("p::before"), HasSubstr("pseudo"));
  EXPECT_THAT(parse_error("svg|a"), HasSubstr("namespaces"));
  EXPECT_THAT(parse_error("[a"), HasSubstr("expected ']'"));
  EXPECT_THAT(parse_error("[]"), HasSubstr("attribute name"));
  EXPECT_THAT(parse_error("[a=]"), HasSubstr("expected a value"));
  EXPECT_THAT(parse_error("[a='x]"), HasSubstr("unterminated string"));
  EXPECT_THAT(parse_error("[a=x y]"), HasSubstr("expected ']'"));
  EXPECT_THAT(parse_error("[a!=x]"), HasSubstr("operator"));
  EXPECT_THAT(parse_error("h3 $"), HasSubstr("'$'"));
  EXPECT_THAT(parse_error("h3$"), HasSubstr("unexpected '$'"));
}

TEST(SelectorTest, ErrorQuotesTheSelector) {
  EXPECT_THAT(parse_error("h3..x"), HasSubstr("'h3..x'"));
}

TEST(SelectorTest, LimitsOnLengthAndCompounds) {
  EXPECT_THAT(parse_error(std::string(Selector::kMaxLength + 1, 'a')),
              HasSubstr("longer than"));
  EXPECT_TRUE(Selector::parse(std::string(Selector::kMaxLength, 'a')).ok());
  std::string many;
  for (size_t i = 0; i <= Selector::kMaxCompounds; ++i) many += "a ";
  EXPECT_THAT(parse_error(many), HasSubstr("compound"));
  std::string max;
  for (size_t i = 0; i < Selector::kMaxCompounds; ++i) max += "a ";
  EXPECT_TRUE(Selector::parse(max).ok());
}

TEST(SelectorTest, TextIsKeptAsWritten) {
  absl::StatusOr<Selector> s = Selector::parse(" h3.x , p ");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->text(), " h3.x , p ");
}

// A hostile selector on a deep tree stays fast: "fails completely" stops
// the ancestor walk (this would take ~depth^compounds steps otherwise).
TEST(SelectorTest, DeepTreeWithLongDescendantChainIsLinear) {
  std::string html(kDoctype);
  for (int i = 0; i < 500; ++i) html += "<span>";
  html += "<b>x</b>";
  std::string css;
  for (int i = 0; i < 60; ++i) css += "span ";
  css += "i b";
  EXPECT_THAT(texts(css, html), IsEmpty());
  EXPECT_THAT(texts("span span span b", html), ElementsAre("x"));
}

TEST(SelectorTest, MatchesRejectsNonElements) {
  absl::StatusOr<Selector> s = Selector::parse("*");
  ASSERT_TRUE(s.ok());
  EXPECT_FALSE(s->matches(nullptr));
  Document d = Document::parse("x");
  EXPECT_FALSE(s->matches(d.document()));
}

}  // namespace
}  // namespace aio::crawler
