#include "crawler/links.h"

#include <string>
#include <vector>

#include "crawler/html.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace aio::crawler {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

std::vector<std::string> links_of(std::string_view html,
                                  std::string_view page = "http://site/dir/page.html") {
  return extract_links(Document::parse(html), page);
}

TEST(ExtractLinksTest, EveryRelativeForm) {
  EXPECT_THAT(links_of("<a href='a.html'></a>"
                       "<a href='./b.html'></a>"
                       "<a href='../c.html'></a>"
                       "<a href='/d.html'></a>"
                       "<a href='//other:81/e'></a>"
                       "<a href='?q=1'></a>"
                       "<a href='https://Secure/f'></a>"),
              ElementsAre("http://site/dir/a.html", "http://site/dir/b.html",
                          "http://site/c.html", "http://site/d.html",
                          "http://other:81/e", "http://site/dir/page.html?q=1",
                          "https://secure/f"));
}

TEST(ExtractLinksTest, AreaHrefCounts) {
  EXPECT_THAT(links_of("<map><area href='/m1' shape=rect></map>"),
              ElementsAre("http://site/m1"));
}

TEST(ExtractLinksTest, SvgAnchorsCount) {
  EXPECT_THAT(links_of("<svg><a href='/s1'/><a xlink:href='/s2'/></svg>"),
              ElementsAre("http://site/s1", "http://site/s2"));
}

TEST(ExtractLinksTest, DocumentOrderAndDeduplicated) {
  EXPECT_THAT(links_of("<a href='/z'></a><p><a href='/a'></a></p>"
                       "<a href='/z#frag'></a><a href='/Z'></a>"
                       "<a href='/%7a'></a>"),
              ElementsAre("http://site/z", "http://site/a", "http://site/Z"));
}

TEST(ExtractLinksTest, HrefWhitespaceStrippedEntitiesDecoded) {
  EXPECT_THAT(links_of("<a href='\n\t /x?a=1&amp;b=2 \n'></a>"
                       "<a href='/y?c=1&d=2'></a>"
                       "<a href='/&#x7A;'></a>"),
              ElementsAre("http://site/x?a=1&b=2", "http://site/y?c=1&d=2",
                          "http://site/z"));
}

TEST(ExtractLinksTest, ResolvedAgainstTheFirstBaseWithHref) {
  EXPECT_THAT(links_of("<head><base target=x><base href='http://cdn/b/'>"
                       "<base href='http://ignored/'></head>"
                       "<a href='c'></a><a href='/d'></a>"),
              ElementsAre("http://cdn/b/c", "http://cdn/d"));
}

TEST(ExtractLinksTest, RelativeBaseIsResolvedAgainstThePage) {
  EXPECT_THAT(links_of("<base href='../other/'><a href='x'></a>"),
              ElementsAre("http://site/other/x"));
}

TEST(ExtractLinksTest, UnusableBaseFallsBackToThePage) {
  EXPECT_THAT(links_of("<base href='javascript:void(0)'><a href='x'></a>"),
              ElementsAre("http://site/dir/x"));
}

TEST(ExtractLinksTest, BaseLaterInTheBodyStillApplies) {
  // HTML: the document base URL is the first <base href> in tree order,
  // wherever it is.
  EXPECT_THAT(links_of("<a href='x'></a><base href='/b/'>"),
              ElementsAre("http://site/b/x"));
}

TEST(ExtractLinksTest, NeverFromCommentsScriptStyleTextareaOrText) {
  EXPECT_THAT(
      links_of("<!-- <a href='/comment'></a> -->"
               "<script>document.write(\"<a href='/script'></a>\")</script>"
               "<style>a[href='/style']{}</style>"
               "<textarea><a href='/textarea'></a></textarea>"
               "<title><a href='/title'></a></title>"
               "<p>see http://site/text or /text2</p>"
               "<noscript>x</noscript>"
               "<a name=nohref>no href</a>"
               "<link href='/link-is-not-a-link'>"
               "<img src='/img'><a href='/real'></a>"),
      ElementsAre("http://site/real"));
}

TEST(ExtractLinksTest, TemplateContentsAreInert) {
  EXPECT_THAT(links_of("<template><base href='/t/'><a href='/in-template'></a>"
                       "</template><a href='x'></a>"),
              ElementsAre("http://site/dir/x"));
}

TEST(ExtractLinksTest, NonHttpSchemesIgnored) {
  EXPECT_THAT(links_of("<a href='javascript:go()'></a>"
                       "<a href=' JAVASCRIPT:go()'></a>"
                       "<a href='mailto:a@b.c'></a><a href='tel:+1'></a>"
                       "<a href='data:text/html,x'></a>"
                       "<a href='file:///etc/passwd'></a>"
                       "<a href='ftp://f/x'></a><a href='irc://i/x'></a>"
                       "<a href='http://ok/'></a>"),
              ElementsAre("http://ok/"));
}

TEST(ExtractLinksTest, EmptyAndFragmentHrefsAreThePage) {
  EXPECT_THAT(links_of("<a href=''></a><a href='#top'></a><a href></a>"),
              ElementsAre("http://site/dir/page.html"));
}

TEST(ExtractLinksTest, LinksAreCanonical) {
  EXPECT_THAT(links_of("<a href='HTTP://Other:80/a/./b/../%7ec d'></a>"),
              ElementsAre("http://other/a/~c%20d"));
}

TEST(ExtractLinksTest, UnparsableHrefsSkipped) {
  EXPECT_THAT(links_of("<a href='http://a b/'></a><a href='http://:99999/'></a>"
                       "<a href='/fine'></a>"),
              ElementsAre("http://site/fine"));
}

TEST(ExtractLinksTest, NoLinks) {
  EXPECT_THAT(links_of(""), IsEmpty());
  EXPECT_THAT(links_of("just text"), IsEmpty());
}

TEST(ExtractLinksTest, NonHttpPageUrlKeepsOnlyAbsoluteLinks) {
  EXPECT_THAT(links_of("<a href='rel'></a><a href='http://abs/'></a>", ""),
              ElementsAre("http://abs/"));
}

TEST(ExtractLinksTest, MisnestedMarkupAsABrowserParsesIt) {
  // An <a> inside an <a> closes the first (HTML tree construction).
  EXPECT_THAT(links_of("<a href='/1'>one <a href='/2'>two</a></a>"
                       "<table><a href='/3'>foster-parented</a></table>"),
              ElementsAre("http://site/1", "http://site/2", "http://site/3"));
}

}  // namespace
}  // namespace aio::crawler
