#include "crawler/text.h"

#include <string>

#include "crawler/html.h"
#include "gtest/gtest.h"

namespace aio::crawler {
namespace {

const GumboNode* first_of(const GumboNode* n, GumboTag tag) {
  if (n->type != GUMBO_NODE_ELEMENT && n->type != GUMBO_NODE_DOCUMENT)
    return nullptr;
  if (n->type == GUMBO_NODE_ELEMENT && n->v.element.tag == tag) return n;
  const GumboVector& kids = n->type == GUMBO_NODE_DOCUMENT
                                ? n->v.document.children
                                : n->v.element.children;
  for (unsigned i = 0; i < kids.length; ++i) {
    if (auto* f = first_of(static_cast<const GumboNode*>(kids.data[i]), tag))
      return f;
  }
  return nullptr;
}

std::string text_of(std::string_view html, GumboTag tag) {
  Document d = Document::parse(html);
  return element_text(first_of(d.document(), tag));
}

TEST(CollapseWhitespaceTest, CollapsesRunsAndTrims) {
  EXPECT_EQ(collapse_whitespace(""), "");
  EXPECT_EQ(collapse_whitespace(" \t\n\f\r "), "");
  EXPECT_EQ(collapse_whitespace("  a \t\n b\r\n\fc  "), "a b c");
  EXPECT_EQ(collapse_whitespace("a"), "a");
}

TEST(CollapseWhitespaceTest, KeepsNonAsciiWhitespace) {
  // U+00A0 (from &nbsp;) and U+3000 are content; \v is not HTML whitespace.
  EXPECT_EQ(collapse_whitespace(" a\xC2\xA0 b\xE3\x80\x80"),
            "a\xC2\xA0 b\xE3\x80\x80");
  EXPECT_EQ(collapse_whitespace("a\vb"), "a\vb");
}

TEST(ElementTextTest, ConcatenatesDescendantTextNodes) {
  EXPECT_EQ(text_of("<h3>Hello <b>big <i>wide</i></b> world</h3>", GUMBO_TAG_H3),
            "Hello big wide world");
  EXPECT_EQ(text_of("<h3>a<b>b</b>c</h3>", GUMBO_TAG_H3), "abc");
}

TEST(ElementTextTest, ExcludesComments) {
  EXPECT_EQ(text_of("<h3>a<!-- secret -->b</h3>", GUMBO_TAG_H3), "ab");
}

TEST(ElementTextTest, DecodesEntities) {
  EXPECT_EQ(text_of("<h3>&lt;Tom &amp; Jerry&gt; &eacute;&#233;&#xE9;&copy</h3>",
                    GUMBO_TAG_H3),
            "<Tom & Jerry> \xC3\xA9\xC3\xA9\xC3\xA9\xC2\xA9");
  EXPECT_EQ(text_of("<h3>a&nbsp;b</h3>", GUMBO_TAG_H3), "a\xC2\xA0" "b");
}

TEST(ElementTextTest, CollapsesWhitespaceAcrossNodes) {
  EXPECT_EQ(text_of("<h3>\n  a  <span>\n b </span>\t c\n</h3>", GUMBO_TAG_H3),
            "a b c");
}

TEST(ElementTextTest, TitleIsRcdata) {
  EXPECT_EQ(text_of("<title> A <b>bold</b> &amp; title </title>",
                    GUMBO_TAG_TITLE),
            "A <b>bold</b> & title");
}

TEST(ElementTextTest, ScriptAndStyleInsideCountAsText) {
  // textContent semantics: raw-text children are text nodes too.
  EXPECT_EQ(text_of("<div>a<script>1<2</script>b</div>", GUMBO_TAG_DIV),
            "a1<2b");
}

TEST(ElementTextTest, EmptyAndNull) {
  EXPECT_EQ(text_of("<h3></h3>", GUMBO_TAG_H3), "");
  EXPECT_EQ(text_of("<h3> <!-- x --> </h3>", GUMBO_TAG_H3), "");
  EXPECT_EQ(element_text(nullptr), "");
}

TEST(ElementTextTest, DeepTreesDoNotOverflowTheStack) {
  std::string html = "<h3>";
  for (int i = 0; i < 100000; ++i) html += "<span>";
  html += "deep";
  Document d = Document::parse(html);
  EXPECT_EQ(element_text(first_of(d.document(), GUMBO_TAG_H3)), "deep");
}

}  // namespace
}  // namespace aio::crawler
