// aio::crawler::Selector: a CSS selector (a subset of Selectors Level 4),
// matched against a Document as a browser's querySelectorAll does.
//
// Supported:
//   type selectors ("h3", ASCII case-insensitive) and "*";
//   ".class" (several, in any order: ".a.b" needs both classes; the class
//   attribute is split on ASCII whitespace);
//   "#id" (the whole id attribute);
//   attribute selectors "[attr]", "[attr=value]", "[attr="value"]",
//   "[attr='value']", and also ~= |= ^= $= *= with an optional " i" / " s"
//   case flag (attribute names are case-insensitive, values case-sensitive
//   unless " i");
//   the descendant (whitespace) and child (">") combinators;
//   selector lists ("a, b").
// Identifiers may use CSS escapes ("\31 23", "\.").
// Not supported, and rejected with a clear error: pseudo-classes and
// pseudo-elements (":hover", "::before"), the sibling combinators "+" and
// "~", namespaces ("svg|a").
//
// As in browsers, class and id selectors match ASCII case-insensitively in
// quirks-mode documents (no doctype), case-sensitively otherwise.
//
// Selector is an immutable value; parse and match are pure and safe from any
// thread. Matching is iterative and costs O(elements x selector length): a
// failed descendant match is not retried higher up the tree (WebKit's
// "fails completely" rule), so hostile selectors and deep trees stay linear.
#ifndef AIO_CRAWLER_SELECTOR_H_
#define AIO_CRAWLER_SELECTOR_H_

#include <gumbo.h>

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "crawler/html.h"

namespace aio::crawler {

class Selector {
 public:
  // Limits that keep a hostile --select bounded.
  static constexpr size_t kMaxLength = 4096;     // characters
  static constexpr size_t kMaxCompounds = 64;    // per complex selector

  // Parses `css`. Errors are absl::InvalidArgumentError with the selector,
  // the 0-based position and what was expected, e.g.
  //   invalid selector 'h3..x' at position 3: expected a class name after '.'
  static absl::StatusOr<Selector> parse(std::string_view css);

  // Does element `node` match? (false for non-elements). `quirks` selects
  // case-insensitive class / id matching.
  bool matches(const GumboNode* node, bool quirks = false) const;

  // The selector as written.
  const std::string& text() const { return text_; }

  // Parsed form (public for the matcher; not a stable API).
  enum class AttrOp { kExists, kEquals, kIncludes, kDash, kPrefix, kSuffix,
                      kSubstring };
  struct AttrTest {
    std::string name;  // lower case
    AttrOp op = AttrOp::kExists;
    std::string value;
    bool ignore_case = false;
  };
  struct Compound {
    std::string type;  // lower case; "" = any element
    std::vector<std::string> ids;
    std::vector<std::string> classes;
    std::vector<AttrTest> attrs;
  };
  enum class Combinator { kDescendant, kChild };
  struct Complex {
    std::vector<Compound> compounds;        // left to right
    std::vector<Combinator> combinators;    // combinators[i] joins i and i+1
  };

 private:
  Selector() = default;
  std::string text_;
  std::vector<Complex> list_;
};

// Every element of `doc` matching `selector`, in document order, each once.
std::vector<const GumboNode*> select_all(const Document& doc,
                                         const Selector& selector);

// The text (crawler/text.h rules) of every matching element, in document
// order: one entry per element, "" included.
std::vector<std::string> select_texts(const Document& doc,
                                      const Selector& selector);

}  // namespace aio::crawler

#endif  // AIO_CRAWLER_SELECTOR_H_
