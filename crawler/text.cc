#include "crawler/text.h"

#include <string>
#include <string_view>
#include <vector>

namespace aio::crawler {
namespace {

bool is_ascii_whitespace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r';
}

const GumboVector* children_of(const GumboNode* node) {
  switch (node->type) {
    case GUMBO_NODE_DOCUMENT:
      return &node->v.document.children;
    case GUMBO_NODE_ELEMENT:
    case GUMBO_NODE_TEMPLATE:
      return &node->v.element.children;
    default:
      return nullptr;
  }
}

}  // namespace

std::string collapse_whitespace(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  bool pending_space = false;
  for (char c : s) {
    if (is_ascii_whitespace(c)) {
      pending_space = !out.empty();
    } else {
      if (pending_space) out.push_back(' ');
      pending_space = false;
      out.push_back(c);
    }
  }
  return out;
}

std::string element_text(const GumboNode* node) {
  if (node == nullptr) return {};
  std::string raw;
  std::vector<const GumboNode*> todo{node};
  while (!todo.empty()) {
    const GumboNode* n = todo.back();
    todo.pop_back();
    switch (n->type) {
      case GUMBO_NODE_TEXT:
      case GUMBO_NODE_WHITESPACE:
      case GUMBO_NODE_CDATA:
        if (n->v.text.text != nullptr) raw += n->v.text.text;
        break;
      case GUMBO_NODE_COMMENT:
        break;
      default:
        if (const GumboVector* kids = children_of(n)) {
          for (unsigned i = kids->length; i > 0; --i) {
            todo.push_back(static_cast<const GumboNode*>(kids->data[i - 1]));
          }
        }
        break;
    }
  }
  return collapse_whitespace(raw);
}

}  // namespace aio::crawler
