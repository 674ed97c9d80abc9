#include "crawler/html.h"

#include <string>
#include <string_view>
#include <utility>

#include "gtest/gtest.h"

namespace aio::crawler {
namespace {

const GumboNode* find_first(const GumboNode* n, GumboTag tag) {
  if (n->type != GUMBO_NODE_ELEMENT && n->type != GUMBO_NODE_DOCUMENT)
    return nullptr;
  if (n->type == GUMBO_NODE_ELEMENT && n->v.element.tag == tag) return n;
  const GumboVector& kids = n->type == GUMBO_NODE_DOCUMENT
                                ? n->v.document.children
                                : n->v.element.children;
  for (unsigned i = 0; i < kids.length; ++i) {
    if (auto* f = find_first(static_cast<const GumboNode*>(kids.data[i]), tag))
      return f;
  }
  return nullptr;
}

TEST(DocumentTest, EmptyInputIsAnEmptyDocumentWithImpliedElements) {
  Document d = Document::parse("");
  ASSERT_NE(d.root(), nullptr);
  EXPECT_EQ(tag_name(d.root()), "html");
  EXPECT_NE(find_first(d.document(), GUMBO_TAG_BODY), nullptr);
  EXPECT_FALSE(d.base_href().has_value());
}

TEST(DocumentTest, BaseHrefIsTheFirstBaseWithAnHref) {
  Document d = Document::parse(
      "<head><base target=_blank><base href=' /first/ '>"
      "<base href='/second/'></head>");
  ASSERT_TRUE(d.base_href().has_value());
  EXPECT_EQ(*d.base_href(), " /first/ ");
}

TEST(DocumentTest, BaseHrefDecodesEntitiesAndMayBeEmpty) {
  EXPECT_EQ(*Document::parse("<base href='/a?b=1&amp;c=2'>").base_href(),
            "/a?b=1&c=2");
  EXPECT_EQ(*Document::parse("<base href>").base_href(), "");
}

TEST(DocumentTest, BaseInsideACommentOrScriptDoesNotCount) {
  Document d = Document::parse(
      "<!-- <base href='/c/'> --><script>'<base href=\"/s/\">'</script>"
      "<p>x</p>");
  EXPECT_FALSE(d.base_href().has_value());
}

TEST(DocumentTest, QuirksModeFollowsTheDoctype) {
  EXPECT_TRUE(Document::parse("<p>no doctype").quirks_mode());
  EXPECT_FALSE(Document::parse("<!DOCTYPE html><p>x").quirks_mode());
}

TEST(DocumentTest, MoveKeepsTheTreeValid) {
  // A short source: the bytes gumbo points into must not move with it.
  Document a = Document::parse("<x-y>t</x-y>");
  Document b = std::move(a);
  const GumboNode* body = find_first(b.document(), GUMBO_TAG_BODY);
  ASSERT_NE(body, nullptr);
  ASSERT_EQ(body->v.element.children.length, 1u);
  EXPECT_EQ(tag_name(static_cast<const GumboNode*>(
                body->v.element.children.data[0])),
            "x-y");
  Document c = Document::parse("<p>");
  c = std::move(b);
  EXPECT_EQ(tag_name(c.root()), "html");
}

TEST(TagNameTest, KnownUnknownAndNonElements) {
  Document d = Document::parse("<DIV><My-Widget a=1>t</My-Widget><svg></svg>");
  const GumboNode* div = find_first(d.document(), GUMBO_TAG_DIV);
  ASSERT_NE(div, nullptr);
  EXPECT_EQ(tag_name(div), "div");
  const auto* widget =
      static_cast<const GumboNode*>(div->v.element.children.data[0]);
  EXPECT_EQ(tag_name(widget), "my-widget");
  const auto* text =
      static_cast<const GumboNode*>(widget->v.element.children.data[0]);
  EXPECT_EQ(tag_name(text), "");
  EXPECT_EQ(tag_name(nullptr), "");
  EXPECT_EQ(tag_name(find_first(d.document(), GUMBO_TAG_SVG)), "svg");
}

TEST(AttributeTest, ValueOrNullopt) {
  Document d = Document::parse("<div ID=x data-v='a&amp;b' empty></div>");
  const GumboNode* div = find_first(d.document(), GUMBO_TAG_DIV);
  EXPECT_EQ(attribute(div, "id"), "x");
  EXPECT_EQ(attribute(div, "data-v"), "a&b");
  EXPECT_EQ(attribute(div, "empty"), "");
  EXPECT_FALSE(attribute(div, "nope").has_value());
  EXPECT_FALSE(attribute(nullptr, "id").has_value());
}

// Regression: gumbo's tree construction costs O(depth) per block tag, so a
// page of nested <div>s was quadratic (20,000 took 2 s; a 10 MiB page would
// take hours). The depth guard flattens beyond kMaxDepth.
TEST(DocumentTest, DeepNestingIsFlattenedAndKeepsContent) {
  std::string html;
  for (int i = 0; i < 200000; ++i) html += "<div>";
  html += "<a href='/deep'>deep</a>";
  for (int i = 0; i < 200000; ++i) html += "</div>";
  html += "<p id=after>after</p>";
  Document d = Document::parse(html);
  EXPECT_EQ(d.flattened_tags(), 200000 - Document::kMaxDepth);
  const GumboNode* a = find_first(d.document(), GUMBO_TAG_A);
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(attribute(a, "href"), "/deep");
  const GumboNode* p = find_first(d.document(), GUMBO_TAG_P);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(attribute(p, "id"), "after");
}

TEST(DocumentTest, ShallowPagesAreNotRewritten) {
  std::string html;
  for (int i = 0; i < 100000; ++i) html += "<div><p>x</div>";
  for (int i = 0; i < 1000; ++i) html += "<li><td><p><br><img>";
  Document d = Document::parse(html);
  EXPECT_EQ(d.flattened_tags(), 0u);
}

TEST(DocumentTest, DepthGuardIgnoresTagsInCommentsAndRawText) {
  std::string html = "<!--";
  for (int i = 0; i < 2000; ++i) html += "<div>";
  html += "--><script>";
  for (int i = 0; i < 2000; ++i) html += "<div>";
  html += "</script><p>x";
  EXPECT_EQ(Document::parse(html).flattened_tags(), 0u);
}

// The guard reads tag names as written: <DIV> closes what <div> opened, and
// <P> / <SCRIPT> are what <p> / <script> are.
TEST(DocumentTest, DepthGuardComparesTagNamesCaseInsensitively) {
  std::string html;
  for (int i = 0; i < 1000; ++i) html += (i % 2 ? "<DIV>" : "<div>");
  html += "x";
  for (int i = 0; i < 1000; ++i) html += (i % 2 ? "</div>" : "</Div>");
  for (int i = 0; i < 1000; ++i) html += "<Div><P>y</dIV>";
  html += "<SCRIPT>";
  for (int i = 0; i < 1000; ++i) html += "<div>";
  html += "</script><p id=after>z";
  Document d = Document::parse(html);
  EXPECT_EQ(d.flattened_tags(), 1000 - Document::kMaxDepth);
  const GumboNode* p = find_first(d.document(), GUMBO_TAG_P);
  ASSERT_NE(p, nullptr);
}

// At the limit: kMaxDepth nested elements are kept, one more is flattened
// (a page with no more than kMaxDepth tags is not even scanned).
TEST(DocumentTest, DepthGuardBoundary) {
  std::string at_limit;
  for (size_t i = 0; i < Document::kMaxDepth; ++i) at_limit += "<div>";
  EXPECT_EQ(Document::parse(at_limit + "x").flattened_tags(), 0u);
  EXPECT_EQ(Document::parse(at_limit + "<div>x").flattened_tags(), 1u);
  EXPECT_EQ(Document::parse(at_limit + "<div>x</div>").flattened_tags(), 1u);
}

TEST(DocumentTest, ParseTakingTheStringGivesTheSameTree) {
  std::string html = "<title>t</title><a href=/x>y</a>";
  Document a = Document::parse(std::string_view(html));
  Document b = Document::parse(std::move(html));
  const GumboNode* la = find_first(a.document(), GUMBO_TAG_A);
  const GumboNode* lb = find_first(b.document(), GUMBO_TAG_A);
  ASSERT_NE(la, nullptr);
  ASSERT_NE(lb, nullptr);
  EXPECT_EQ(attribute(la, "href"), "/x");
  EXPECT_EQ(attribute(lb, "href"), "/x");
}

// The tree lives in the Document's arena: a page far larger than its first
// block (many blocks, a string larger than any block) stays whole.
TEST(DocumentTest, LargeDocumentsSpanManyArenaBlocks) {
  std::string html = "<p id=big>" + std::string(9 << 20, 'x') + "</p>";
  for (int i = 0; i < 50000; ++i) {
    html += "<a href=/" + std::to_string(i) + ">" + std::to_string(i) + "</a>";
  }
  Document d = Document::parse(std::move(html));
  const GumboNode* p = find_first(d.document(), GUMBO_TAG_P);
  ASSERT_NE(p, nullptr);
  ASSERT_EQ(p->v.element.children.length, 1u);
  const auto* text = static_cast<const GumboNode*>(p->v.element.children.data[0]);
  EXPECT_EQ(std::string_view(text->v.text.text).size(), size_t{9} << 20);
  const GumboNode* body = find_first(d.document(), GUMBO_TAG_BODY);
  ASSERT_NE(body, nullptr);
  EXPECT_EQ(body->v.element.children.length, 50001u);
  const auto* last = static_cast<const GumboNode*>(
      body->v.element.children.data[50000]);
  EXPECT_EQ(attribute(last, "href"), "/49999");
}

}  // namespace
}  // namespace aio::crawler
