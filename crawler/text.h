// aio::crawler text rules: the text of an element as a record holds it.
//
// element_text(node) is every descendant text node of `node` concatenated in
// document order (text, whitespace and CDATA nodes; comments excluded;
// <script>/<style>/<title>/<textarea> contents are text nodes in the HTML5
// tree, so they count when inside `node`; <template> contents count too),
// entities already decoded by the parser, then collapse_whitespace().
//
// collapse_whitespace(s): every run of ASCII whitespace (space, tab, LF, FF,
// CR: the HTML standard's set) becomes one space, and leading and trailing
// whitespace is removed. Other whitespace (U+00A0 from &nbsp;, U+3000) is
// kept: it is content.
//
// Pure functions; safe from any thread. The walk is iterative, so a deep
// tree cannot overflow the stack.
#ifndef AIO_CRAWLER_TEXT_H_
#define AIO_CRAWLER_TEXT_H_

#include <gumbo.h>

#include <string>
#include <string_view>

namespace aio::crawler {

// The collapsed text of `node` and its descendants; "" for nullptr or a
// comment. For a text node, its own text, collapsed.
std::string element_text(const GumboNode* node);

std::string collapse_whitespace(std::string_view s);

}  // namespace aio::crawler

#endif  // AIO_CRAWLER_TEXT_H_
