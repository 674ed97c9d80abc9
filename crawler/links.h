// aio::crawler::extract_links: the links of a page that an HTML5 browser
// would follow.
//
//   - <a href> and <area href> elements of gumbo's tree (and SVG <a> with
//     href / xlink:href), in document order;
//   - the href as the tree holds it (entities decoded by the parser), stripped
//     of leading and trailing whitespace (and tabs / newlines inside removed,
//     as browsers do);
//   - resolved against the document's base URL: the first <base> element that
//     has an href, itself resolved against `page_url`; when that is not a
//     valid http(s) URL, `page_url` (HTML's fallback base URL);
//   - never from comments, <script>, <style>, <textarea>, <title> or text
//     (those are not elements in the tree, whatever they contain), nor from
//     a <template>'s inert contents;
//   - only http(s) results: javascript:, mailto:, tel:, data:, file:, ftp:
//     and every other scheme, and hrefs that do not parse, are skipped;
//   - each in canonical form (crawler/canonical_url.h), each once per page
//     (first occurrence wins). "#top" and "" resolve to the page itself.
//
// A pure function; safe from any thread. Cost is linear in the tree.
#ifndef AIO_CRAWLER_LINKS_H_
#define AIO_CRAWLER_LINKS_H_

#include <string>
#include <string_view>
#include <vector>

#include "crawler/html.h"

namespace aio::crawler {

// `page_url` is the URL the page was fetched from (after redirects). If it
// is not an http(s) URL, only absolute http(s) hrefs are returned.
std::vector<std::string> extract_links(const Document& doc,
                                       std::string_view page_url);

}  // namespace aio::crawler

#endif  // AIO_CRAWLER_LINKS_H_
