#include "crawler/html.h"

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace aio::crawler {
namespace {

char lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

// A tag name as written, compared ASCII case-insensitively (no copy); `b`
// may be the lower-case name.
bool same_name(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

bool is_alpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r';
}

// Elements that never hold children or whose end tag is implied by a
// sibling: they do not add to the nesting depth the pre-scan estimates.
// <a> is here too: an <a> start tag closes an open <a>, so links cannot nest
// deeply, and the guard never drops a link.
bool non_nesting(std::string_view name) {
  static constexpr std::string_view kNames[] = {
      "area",  "base",     "br",    "col",   "embed", "hr",     "img",
      "input", "link",     "meta",  "source", "track", "wbr",   "param",
      "keygen", "p",       "li",    "dt",    "dd",    "option", "optgroup",
      "tr",    "td",       "th",    "rb",    "rt",    "rtc",    "rp",
      "tbody", "thead",    "tfoot", "colgroup", "caption", "html", "head",
      "body",  "frame",    "basefont", "bgsound", "image", "a"};
  return std::any_of(std::begin(kNames), std::end(kNames),
                     [&](std::string_view k) { return same_name(name, k); });
}

// Elements whose content is raw text up to their end tag.
bool raw_text(std::string_view name) {
  static constexpr std::string_view kNames[] = {
      "script", "style", "textarea", "title", "xmp", "iframe",
      "noembed", "noframes", "plaintext"};
  return std::any_of(std::begin(kNames), std::end(kNames),
                     [&](std::string_view k) { return same_name(name, k); });
}

size_t find_ci(std::string_view hay, std::string_view needle, size_t from) {
  if (needle.size() > hay.size()) return std::string_view::npos;
  for (size_t i = from; i + needle.size() <= hay.size(); ++i) {
    size_t j = 0;
    while (j < needle.size() && lower(hay[i + j]) == needle[j]) ++j;
    if (j == needle.size()) return i;
  }
  return std::string_view::npos;
}

// The end of a tag starting at `i` (just after the name): the index after
// its '>', honouring quoted attribute values; sets `self_closing`.
size_t skip_tag(std::string_view s, size_t i, bool& self_closing) {
  self_closing = false;
  char quote = 0;
  for (; i < s.size(); ++i) {
    char c = s[i];
    if (quote) {
      if (c == quote) quote = 0;
    } else if (c == '"' || c == '\'') {
      // Quotes only open a value after '='.
      size_t k = i;
      while (k > 0 && is_space(s[k - 1])) --k;
      if (k > 0 && s[k - 1] == '=') quote = c;
    } else if (c == '>') {
      self_closing = i > 0 && s[i - 1] == '/';
      return i + 1;
    }
  }
  return s.size();
}

// The depth guard (see html.h). Returns the input with start tags beyond
// kMaxDepth (and their matching end tags) removed, or nothing when none had
// to be removed (the common case: no copy).
struct Flattened {
  std::string text;
  size_t dropped = 0;
};

// Whether `s` has more than `n` '<' (a page with fewer tags cannot nest
// deeper than that: the depth guard has nothing to do).
bool more_tags_than(std::string_view s, size_t n) {
  const char* p = s.data();
  const char* end = p + s.size();
  size_t count = 0;
  while ((p = static_cast<const char*>(std::memchr(p, '<', end - p))) != nullptr) {
    if (++count > n) return true;
    ++p;
  }
  return false;
}

Flattened flatten(std::string_view s, size_t max_depth) {
  Flattened out;
  if (!more_tags_than(s, max_depth)) return out;  // the common case
  // Names point into `s`, as written: compared with same_name().
  std::vector<std::string_view> stack;
  std::vector<std::pair<std::string_view, size_t>> dropped;  // name, pending ends
  size_t copied = 0;  // s[0, copied) is in out.text (once dropping began)
  auto drop = [&](size_t from, size_t to) {
    out.text.append(s.substr(copied, from - copied));
    copied = to;
  };
  size_t i = 0;
  while (i < s.size()) {
    size_t lt = s.find('<', i);
    if (lt == std::string_view::npos || lt + 1 >= s.size()) break;
    char c = s[lt + 1];
    if (s.compare(lt, 4, "<!--") == 0) {
      size_t end = s.find("-->", lt + 4);
      i = end == std::string_view::npos ? s.size() : end + 3;
      continue;
    }
    if (c == '!' || c == '?') {
      size_t end = s.find('>', lt + 2);
      i = end == std::string_view::npos ? s.size() : end + 1;
      continue;
    }
    bool end_tag = c == '/';
    size_t n = lt + (end_tag ? 2 : 1);
    if (n >= s.size() || !is_alpha(s[n])) {
      i = lt + 1;
      continue;
    }
    size_t name_start = n;
    while (n < s.size() && !is_space(s[n]) && s[n] != '/' && s[n] != '>') ++n;
    std::string_view name = s.substr(name_start, n - name_start);
    bool self_closing = false;
    size_t after = skip_tag(s, n, self_closing);
    if (end_tag) {
      auto d = std::find_if(dropped.begin(), dropped.end(), [&](const auto& e) {
        return same_name(e.first, name);
      });
      if (d != dropped.end() && d->second > 0) {
        --d->second;
        drop(lt, after);
      } else {
        auto open = std::find_if(stack.rbegin(), stack.rend(),
                                 [&](std::string_view e) { return same_name(e, name); });
        if (open != stack.rend()) stack.erase(open.base() - 1, stack.end());
      }
      i = after;
      continue;
    }
    if (raw_text(name)) {
      if (same_name(name, "plaintext")) break;
      std::string close_tag = "</";
      for (char ch : name) close_tag.push_back(lower(ch));
      size_t close = find_ci(s, close_tag, after);
      i = close == std::string_view::npos ? s.size() : close;
      continue;
    }
    if (!self_closing && !non_nesting(name)) {
      if (stack.size() >= max_depth) {
        auto d = std::find_if(dropped.begin(), dropped.end(), [&](const auto& e) {
          return same_name(e.first, name);
        });
        if (d == dropped.end()) {
          dropped.emplace_back(name, 1);
        } else {
          ++d->second;
        }
        ++out.dropped;
        drop(lt, after);
      } else {
        stack.push_back(name);
      }
    }
    i = after;
  }
  if (out.dropped > 0) out.text.append(s.substr(copied));
  return out;
}

}  // namespace

// Bump allocation for one parse (see html.h): blocks chained through their
// first word, allocations 16-byte aligned (gumbo stores doubles nowhere,
// but malloc's alignment is what it was written against); free is a no-op
// and the blocks go when the Document goes.
class Document::Arena {
 public:
  Arena() = default;
  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;
  ~Arena() {
    while (head_ != nullptr) {
      Block* next = head_->next;
      std::free(head_);
      head_ = next;
    }
  }

  void* allocate(size_t n) {
    n = (n + kAlign - 1) & ~(kAlign - 1);
    if (n > static_cast<size_t>(end_ - cur_)) grow(n);
    void* p = cur_;
    cur_ += n;
    return p;
  }

  static void* gumbo_allocate(void* arena, size_t n) {
    return static_cast<Arena*>(arena)->allocate(n);
  }
  static void gumbo_free(void*, void*) {}

 private:
  static constexpr size_t kAlign = 16;
  // The first block fits the tree of a typical page (tens of KiB); later
  // blocks double, up to kMaxBlock (larger requests get a block of their
  // own size).
  static constexpr size_t kFirstBlock = 64 * 1024;
  static constexpr size_t kMaxBlock = 4 * 1024 * 1024;
  struct alignas(kAlign) Block {
    Block* next;
  };
  static_assert(sizeof(Block) == kAlign);

  void grow(size_t n) {
    size_t size = next_size_;
    if (size < n) size = n;
    void* raw = std::malloc(sizeof(Block) + size);
    if (raw == nullptr) throw std::bad_alloc();
    Block* b = static_cast<Block*>(raw);
    b->next = head_;
    head_ = b;
    cur_ = reinterpret_cast<char*>(b + 1);
    end_ = cur_ + size;
    if (next_size_ < kMaxBlock) next_size_ *= 2;
  }

  Block* head_ = nullptr;
  char* cur_ = nullptr;
  char* end_ = nullptr;
  size_t next_size_ = kFirstBlock;
};

void Document::ArenaDeleter::operator()(Arena* a) const { delete a; }

void Document::parse_source() {
  Flattened f = flatten(*source_, kMaxDepth);
  if (f.dropped > 0) {
    *source_ = std::move(f.text);
    flattened_ = f.dropped;
  }
  arena_.reset(new Arena);
  GumboOptions options = kGumboDefaultOptions;
  options.max_errors = 0;  // parse errors are not used: do not store them
  options.allocator = &Arena::gumbo_allocate;
  options.deallocator = &Arena::gumbo_free;
  options.userdata = arena_.get();
  output_ = gumbo_parse_with_options(&options, source_->data(), source_->size());
}

Document Document::parse(std::string_view utf8_html) {
  Document d;
  d.source_ = std::make_unique<std::string>(utf8_html);
  d.parse_source();
  return d;
}

Document Document::parse(std::string&& utf8_html) {
  Document d;
  d.source_ = std::make_unique<std::string>(std::move(utf8_html));
  d.parse_source();
  return d;
}

// The arena owns everything gumbo allocated: no gumbo_destroy_output.
Document::Document(Document&& other) noexcept
    : source_(std::move(other.source_)),
      arena_(std::move(other.arena_)),
      output_(std::exchange(other.output_, nullptr)),
      flattened_(other.flattened_) {}

Document& Document::operator=(Document&& other) noexcept {
  if (this != &other) {
    output_ = std::exchange(other.output_, nullptr);
    arena_ = std::move(other.arena_);
    source_ = std::move(other.source_);
    flattened_ = other.flattened_;
  }
  return *this;
}
Document::~Document() = default;

bool Document::quirks_mode() const {
  return output_->document->v.document.doc_type_quirks_mode ==
         GUMBO_DOCTYPE_QUIRKS;
}

std::optional<std::string_view> Document::base_href() const {
  // Iterative pre-order walk (no recursion: trees can be deep).
  std::vector<const GumboNode*> todo{output_->document};
  while (!todo.empty()) {
    const GumboNode* node = todo.back();
    todo.pop_back();
    // Not into a <template> (GUMBO_NODE_TEMPLATE): its contents are inert.
    if (node->type != GUMBO_NODE_ELEMENT && node->type != GUMBO_NODE_DOCUMENT) {
      continue;
    }
    const GumboVector& children = node->type == GUMBO_NODE_DOCUMENT
                                      ? node->v.document.children
                                      : node->v.element.children;
    if (node->type != GUMBO_NODE_DOCUMENT &&
        node->v.element.tag == GUMBO_TAG_BASE &&
        node->v.element.tag_namespace == GUMBO_NAMESPACE_HTML) {
      if (auto href = attribute(node, "href")) return href;
    }
    for (unsigned i = children.length; i > 0; --i) {
      todo.push_back(static_cast<const GumboNode*>(children.data[i - 1]));
    }
  }
  return std::nullopt;
}

std::string tag_name(const GumboNode* node) {
  if (node == nullptr ||
      (node->type != GUMBO_NODE_ELEMENT && node->type != GUMBO_NODE_TEMPLATE)) {
    return {};
  }
  const GumboElement& e = node->v.element;
  if (e.tag != GUMBO_TAG_UNKNOWN) return gumbo_normalized_tagname(e.tag);
  GumboStringPiece piece = e.original_tag;
  if (piece.data == nullptr || piece.length == 0) return {};
  gumbo_tag_from_original_text(&piece);
  std::string name(piece.data, piece.length);
  for (char& c : name) c = lower(c);
  return name;
}

std::optional<std::string_view> attribute(const GumboNode* node,
                                          std::string_view name) {
  if (node == nullptr ||
      (node->type != GUMBO_NODE_ELEMENT && node->type != GUMBO_NODE_TEMPLATE)) {
    return std::nullopt;
  }
  const GumboVector& attrs = node->v.element.attributes;
  for (unsigned i = 0; i < attrs.length; ++i) {
    const auto* a = static_cast<const GumboAttribute*>(attrs.data[i]);
    if (a->name != nullptr && name == a->name) {
      return std::string_view(a->value ? a->value : "");
    }
  }
  return std::nullopt;
}

}  // namespace aio::crawler
