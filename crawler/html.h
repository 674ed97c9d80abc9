// aio::crawler::Document: an HTML document parsed by gumbo-parser, which
// builds the tree an HTML5 browser builds (the WHATWG tree-construction
// algorithm: implied <html>/<head>/<body>, misnested tags fixed, entities
// decoded, <script>/<style>/<textarea>/<title> contents as text).
//
// Input is UTF-8 (decode first with crawler/charset.h); invalid UTF-8 becomes
// U+FFFD in the tree. Any bytes are accepted and never crash.
//
// Bounded cost on hostile input: gumbo's tree construction costs time
// proportional to the nesting depth for each tag, so a page of a million
// nested <div>s would take hours. Before parsing, a tag pre-scan counts the
// nesting depth; start tags that would nest deeper than kMaxDepth elements
// (and their end tags) are left out, so their contents become children of
// the element at the depth limit (Blink flattens at the same depth). Text,
// links (<a> is never left out) and every element up to that depth are kept.
//
// Move-only value; owns the source (the tree's tag names point into it:
// parse(std::string&&) takes it without a copy) and the tree. The tree lives
// in an arena the Document owns: gumbo allocates through bump allocation
// with a no-op free (its many small nodes, strings and vectors cost no
// malloc/free each), and the Document frees the arena's blocks in one go
// instead of walking the tree. The arena holds at most about twice what
// gumbo has live (its buffers grow by doubling and old ones are not
// reused). Node pointers handed out live as long as the Document. Not
// thread-safe to mutate, but const use from many threads is safe (gumbo's
// tree is plain data); it may be destroyed on any thread.
#ifndef AIO_CRAWLER_HTML_H_
#define AIO_CRAWLER_HTML_H_

#include <gumbo.h>

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace aio::crawler {

class Document {
 public:
  // Elements nested deeper than this are flattened (see above).
  static constexpr size_t kMaxDepth = 512;

  // Parses `utf8_html` (any bytes; empty is an empty document). The
  // std::string&& overload keeps the string as the source instead of a copy.
  static Document parse(std::string_view utf8_html);
  static Document parse(std::string&& utf8_html);
  static Document parse(const char* utf8_html) {
    return parse(std::string_view(utf8_html));
  }

  Document(Document&& other) noexcept;
  Document& operator=(Document&& other) noexcept;
  Document(const Document&) = delete;
  Document& operator=(const Document&) = delete;
  ~Document();

  // The document node (GUMBO_NODE_DOCUMENT); its children include <html>.
  const GumboNode* document() const { return output_->document; }
  // The <html> element.
  const GumboNode* root() const { return output_->root; }

  // The href attribute of the first <base> element (in tree order, outside
  // <template> contents) that has one (as written, entities decoded;
  // possibly ""), or nullopt.
  std::optional<std::string_view> base_href() const;

  // Whether the document is in quirks mode (no or an old doctype): class and
  // id selectors then match ASCII case-insensitively, as in browsers.
  bool quirks_mode() const;

  // How many start tags the depth guard left out (0 for ordinary pages).
  size_t flattened_tags() const { return flattened_; }

 private:
  class Arena;  // html.cc
  struct ArenaDeleter {
    void operator()(Arena* a) const;
  };

  Document() = default;
  void parse_source();

  // Heap-held so that moving the Document never moves the bytes gumbo's
  // tree points into (a short std::string would move its inline buffer).
  std::unique_ptr<std::string> source_;
  std::unique_ptr<Arena, ArenaDeleter> arena_;  // holds *output_
  GumboOutput* output_ = nullptr;
  size_t flattened_ = 0;
};

// The lower-case tag name of an element ("div", "svg", "my-widget"), also
// for elements gumbo does not know (GUMBO_TAG_UNKNOWN); "" for non-elements.
std::string tag_name(const GumboNode* node);

// The value of attribute `name` (lower case) of an element, or nullopt.
std::optional<std::string_view> attribute(const GumboNode* node,
                                          std::string_view name);

}  // namespace aio::crawler

#endif  // AIO_CRAWLER_HTML_H_
