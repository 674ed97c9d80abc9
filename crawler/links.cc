#include "crawler/links.h"

#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/hash/hash.h"
#include "crawler/canonical_url.h"

namespace aio::crawler {
namespace {

// The href of a link element, or nullptr.
const char* link_href(const GumboNode* node) {
  const GumboElement& e = node->v.element;
  bool html_link = e.tag_namespace == GUMBO_NAMESPACE_HTML &&
                   (e.tag == GUMBO_TAG_A || e.tag == GUMBO_TAG_AREA);
  bool svg_link = e.tag_namespace == GUMBO_NAMESPACE_SVG && e.tag == GUMBO_TAG_A;
  if (!html_link && !svg_link) return nullptr;
  for (unsigned i = 0; i < e.attributes.length; ++i) {
    const auto* a = static_cast<const GumboAttribute*>(e.attributes.data[i]);
    if (a->name == nullptr || std::string_view(a->name) != "href") continue;
    // HTML: only the un-namespaced href. SVG: href or xlink:href.
    if (html_link && a->attr_namespace != GUMBO_ATTR_NAMESPACE_NONE) continue;
    return a->value ? a->value : "";
  }
  return nullptr;
}

// "Seen on this page" as indices into the result (each link is stored once,
// in the vector): hashing and comparing look through to the strings, and a
// candidate is looked up by value before it is moved in.
struct SeenHash {
  using is_transparent = void;
  const std::vector<std::string>* links;
  size_t operator()(size_t i) const { return (*this)((*links)[i]); }
  size_t operator()(std::string_view s) const {
    return absl::Hash<std::string_view>{}(s);
  }
};

struct SeenEq {
  using is_transparent = void;
  const std::vector<std::string>* links;
  std::string_view view(size_t i) const { return (*links)[i]; }
  std::string_view view(std::string_view s) const { return s; }
  template <typename A, typename B>
  bool operator()(const A& a, const B& b) const {
    return view(a) == view(b);
  }
};

}  // namespace

std::vector<std::string> extract_links(const Document& doc,
                                       std::string_view page_url) {
  absl::StatusOr<LinkResolver> resolver = LinkResolver::create(page_url);
  if (std::optional<std::string_view> href = doc.base_href()) {
    if (resolver.ok()) {
      absl::StatusOr<std::string> b = resolver->resolve(*href);
      if (b.ok()) resolver = LinkResolver::create(*b);
    } else {
      // No usable page URL: only an absolute <base> can help.
      absl::StatusOr<LinkResolver> b = LinkResolver::create(*href);
      if (b.ok()) resolver = std::move(b);
    }
  }

  std::vector<std::string> links;
  absl::flat_hash_set<size_t, SeenHash, SeenEq> seen(0, SeenHash{&links},
                                                     SeenEq{&links});
  std::vector<const GumboNode*> todo{doc.document()};
  while (!todo.empty()) {
    const GumboNode* n = todo.back();
    todo.pop_back();
    const GumboVector* kids = nullptr;
    if (n->type == GUMBO_NODE_DOCUMENT) {
      kids = &n->v.document.children;
    } else if (n->type == GUMBO_NODE_ELEMENT) {
      // (A <template>'s contents are inert, never shown or followed: its
      // node type is GUMBO_NODE_TEMPLATE and the walk does not enter it.)
      kids = &n->v.element.children;
      if (const char* href = link_href(n)) {
        absl::StatusOr<std::string> url =
            resolver.ok() ? resolver->resolve(href) : canonicalize(href);
        if (url.ok() && !seen.contains(std::string_view(*url))) {
          links.push_back(*std::move(url));
          seen.insert(links.size() - 1);
        }
      }
    }
    if (kids == nullptr) continue;
    for (unsigned i = kids->length; i > 0; --i) {
      todo.push_back(static_cast<const GumboNode*>(kids->data[i - 1]));
    }
  }
  return links;
}

}  // namespace aio::crawler
