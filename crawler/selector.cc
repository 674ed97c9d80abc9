#include "crawler/selector.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "crawler/text.h"

namespace aio::crawler {
namespace {

using AttrOp = Selector::AttrOp;
using AttrTest = Selector::AttrTest;
using Combinator = Selector::Combinator;
using Complex = Selector::Complex;
using Compound = Selector::Compound;

char lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

std::string to_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = lower(c);
  return out;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

bool is_ws(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r';
}

bool is_hex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
         (c >= 'A' && c <= 'F');
}

bool is_name_start(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
         static_cast<unsigned char>(c) >= 0x80;
}

bool is_name_char(char c) {
  return is_name_start(c) || (c >= '0' && c <= '9') || c == '-';
}

void append_utf8(std::string& out, uint32_t cp) {
  if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) cp = 0xFFFD;
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

class Parser {
 public:
  explicit Parser(std::string_view s) : s_(s) {}

  absl::StatusOr<std::vector<Complex>> parse_list() {
    std::vector<Complex> list;
    while (true) {
      skip_ws();
      Complex cx;
      if (absl::Status st = parse_complex(cx); !st.ok()) return st;
      list.push_back(std::move(cx));
      skip_ws();
      if (eof()) break;
      if (peek() != ',') return error("expected ',' or the end");
      ++pos_;
    }
    return list;
  }

 private:
  bool eof() const { return pos_ >= s_.size(); }
  char peek(size_t ahead = 0) const {
    return pos_ + ahead < s_.size() ? s_[pos_ + ahead] : '\0';
  }
  bool skip_ws() {
    size_t start = pos_;
    while (!eof() && is_ws(peek())) ++pos_;
    return pos_ != start;
  }

  absl::Status error(const std::string& what) const {
    return absl::InvalidArgumentError(absl::StrCat(
        "invalid selector '", std::string(s_), "' at position ", pos_, ": ", what));
  }

  absl::Status parse_complex(Complex& cx) {
    bool any = false;
    Compound first;
    if (absl::Status st = parse_compound(first, any); !st.ok()) return st;
    if (!any) {
      if (eof()) return error("expected a selector");
      return error(absl::StrCat("expected a selector, found '",
                                std::string(1, peek()), "'"));
    }
    cx.compounds.push_back(std::move(first));
    while (true) {
      bool ws = skip_ws();
      if (eof() || peek() == ',') return absl::OkStatus();
      Combinator comb;
      if (peek() == '>') {
        ++pos_;
        skip_ws();
        comb = Combinator::kChild;
      } else if (peek() == '+' || peek() == '~') {
        return error(absl::StrCat("the sibling combinator '",
                                  std::string(1, peek()),
                                  "' is not supported (use ' ' or '>')"));
      } else if (ws) {
        comb = Combinator::kDescendant;
      } else {
        return error(absl::StrCat("unexpected '", std::string(1, peek()), "'"));
      }
      Compound next;
      if (absl::Status st = parse_compound(next, any); !st.ok()) return st;
      if (!any) {
        return error(eof() ? std::string("expected a selector after the combinator")
                           : absl::StrCat("expected a selector after the "
                                          "combinator, found '",
                                          std::string(1, peek()), "'"));
      }
      if (cx.compounds.size() >= Selector::kMaxCompounds) {
        return error(absl::StrCat("more than ", Selector::kMaxCompounds,
                                  " compound selectors"));
      }
      cx.combinators.push_back(comb);
      cx.compounds.push_back(std::move(next));
    }
  }

  absl::Status parse_compound(Compound& c, bool& any) {
    any = false;
    if (peek() == '*') {
      ++pos_;
      any = true;
      if (peek() == '|') return error("namespaces are not supported");
    } else if (starts_ident()) {
      std::string name;
      if (absl::Status st = parse_ident(name); !st.ok()) return st;
      if (peek() == '|') return error("namespaces are not supported");
      c.type = to_lower(name);
      any = true;
    }
    while (!eof()) {
      char ch = peek();
      if (ch == '.') {
        ++pos_;
        if (!starts_ident()) return error("expected a class name after '.'");
        std::string name;
        if (absl::Status st = parse_ident(name); !st.ok()) return st;
        c.classes.push_back(std::move(name));
      } else if (ch == '#') {
        ++pos_;
        if (!is_name_char(peek()) && peek() != '\\') {
          return error("expected an id after '#'");
        }
        std::string name;
        if (absl::Status st = parse_name(name); !st.ok()) return st;
        c.ids.push_back(std::move(name));
      } else if (ch == '[') {
        ++pos_;
        AttrTest t;
        if (absl::Status st = parse_attr(t); !st.ok()) return st;
        c.attrs.push_back(std::move(t));
      } else if (ch == ':') {
        return error("pseudo-classes and pseudo-elements are not supported");
      } else if (ch == '|') {
        return error("namespaces are not supported");
      } else {
        break;
      }
      any = true;
    }
    return absl::OkStatus();
  }

  bool valid_escape(size_t at) const {
    return at < s_.size() && s_[at] == '\\' &&
           (at + 1 >= s_.size() || s_[at + 1] != '\n');
  }

  bool starts_ident() const {
    char c = peek();
    if (c == '-') {
      char d = peek(1);
      return is_name_start(d) || d == '-' || valid_escape(pos_ + 1);
    }
    return is_name_start(c) || valid_escape(pos_);
  }

  // One escape at pos_ ('\\'), appended decoded.
  void parse_escape(std::string& out) {
    ++pos_;  // '\\'
    if (eof()) {
      append_utf8(out, 0xFFFD);
      return;
    }
    if (is_hex(peek())) {
      uint32_t cp = 0;
      for (int i = 0; i < 6 && !eof() && is_hex(peek()); ++i) {
        char h = peek();
        cp = cp * 16 + static_cast<uint32_t>(
                           h <= '9' ? h - '0' : lower(h) - 'a' + 10);
        ++pos_;
      }
      if (!eof() && is_ws(peek())) ++pos_;
      append_utf8(out, cp);
      return;
    }
    out.push_back(peek());
    ++pos_;
  }

  absl::Status parse_name(std::string& out) {
    while (!eof()) {
      if (peek() == '\\') {
        if (!valid_escape(pos_)) return error("invalid escape");
        parse_escape(out);
      } else if (is_name_char(peek())) {
        out.push_back(peek());
        ++pos_;
      } else {
        break;
      }
    }
    return absl::OkStatus();
  }

  absl::Status parse_ident(std::string& out) {
    if (!starts_ident()) return error("expected an identifier");
    return parse_name(out);
  }

  absl::Status parse_string(std::string& out) {
    char quote = peek();
    ++pos_;
    while (true) {
      if (eof()) return error("unterminated string");
      char c = peek();
      if (c == quote) {
        ++pos_;
        return absl::OkStatus();
      }
      if (c == '\n') return error("newline in a string");
      if (c == '\\') {
        if (peek(1) == '\n') {
          pos_ += 2;  // escaped newline: nothing
          continue;
        }
        parse_escape(out);
        continue;
      }
      out.push_back(c);
      ++pos_;
    }
  }

  absl::Status parse_attr(AttrTest& t) {
    skip_ws();
    if (peek() == '*' || peek() == '|') {
      return error("namespaces are not supported");
    }
    std::string name;
    if (!starts_ident()) return error("expected an attribute name after '['");
    if (absl::Status st = parse_ident(name); !st.ok()) return st;
    if (peek() == '|' && peek(1) != '=') {
      return error("namespaces are not supported");
    }
    t.name = to_lower(name);
    skip_ws();
    if (peek() == ']') {
      ++pos_;
      t.op = AttrOp::kExists;
      return absl::OkStatus();
    }
    switch (peek()) {
      case '=':
        t.op = AttrOp::kEquals;
        break;
      case '~':
        t.op = AttrOp::kIncludes;
        break;
      case '|':
        t.op = AttrOp::kDash;
        break;
      case '^':
        t.op = AttrOp::kPrefix;
        break;
      case '$':
        t.op = AttrOp::kSuffix;
        break;
      case '*':
        t.op = AttrOp::kSubstring;
        break;
      default:
        return error("expected ']' or an operator (=, ~=, |=, ^=, $=, *=)");
    }
    if (t.op != AttrOp::kEquals) {
      ++pos_;
      if (peek() != '=') return error("expected '='");
    }
    ++pos_;
    skip_ws();
    if (peek() == '"' || peek() == '\'') {
      if (absl::Status st = parse_string(t.value); !st.ok()) return st;
    } else if (starts_ident()) {
      if (absl::Status st = parse_ident(t.value); !st.ok()) return st;
    } else {
      return error("expected a value (an identifier or a quoted string)");
    }
    skip_ws();
    if (peek() == 'i' || peek() == 'I' || peek() == 's' || peek() == 'S') {
      t.ignore_case = lower(peek()) == 'i';
      ++pos_;
      skip_ws();
    }
    if (peek() != ']') return error("expected ']'");
    ++pos_;
    return absl::OkStatus();
  }

  std::string_view s_;
  size_t pos_ = 0;
};

bool is_element(const GumboNode* n) {
  return n != nullptr &&
         (n->type == GUMBO_NODE_ELEMENT || n->type == GUMBO_NODE_TEMPLATE);
}

const GumboNode* element_parent(const GumboNode* n) {
  const GumboNode* p = n->parent;
  return is_element(p) ? p : nullptr;
}

// The attribute value, names compared ASCII case-insensitively.
const char* find_attr(const GumboNode* n, std::string_view name) {
  const GumboVector& attrs = n->v.element.attributes;
  for (unsigned i = 0; i < attrs.length; ++i) {
    const auto* a = static_cast<const GumboAttribute*>(attrs.data[i]);
    if (a->name != nullptr && iequals(a->name, name)) {
      return a->value ? a->value : "";
    }
  }
  return nullptr;
}

bool str_equal(std::string_view a, std::string_view b, bool ignore_case) {
  return ignore_case ? iequals(a, b) : a == b;
}

// Does the whitespace-separated list `list` contain `word`?
bool has_word(std::string_view list, std::string_view word, bool ignore_case) {
  if (word.empty()) return false;
  size_t i = 0;
  while (i < list.size()) {
    while (i < list.size() && is_ws(list[i])) ++i;
    size_t start = i;
    while (i < list.size() && !is_ws(list[i])) ++i;
    if (i > start && str_equal(list.substr(start, i - start), word, ignore_case))
      return true;
  }
  return false;
}

bool attr_matches(const AttrTest& t, const char* raw) {
  if (raw == nullptr) return false;
  std::string_view v(raw);
  std::string_view w(t.value);
  bool ic = t.ignore_case;
  switch (t.op) {
    case AttrOp::kExists:
      return true;
    case AttrOp::kEquals:
      return str_equal(v, w, ic);
    case AttrOp::kIncludes:
      for (char c : w) {
        if (is_ws(c)) return false;
      }
      return has_word(v, w, ic);
    case AttrOp::kDash:
      return str_equal(v, w, ic) ||
             (v.size() > w.size() && v[w.size()] == '-' &&
              str_equal(v.substr(0, w.size()), w, ic));
    case AttrOp::kPrefix:
      return !w.empty() && v.size() >= w.size() &&
             str_equal(v.substr(0, w.size()), w, ic);
    case AttrOp::kSuffix:
      return !w.empty() && v.size() >= w.size() &&
             str_equal(v.substr(v.size() - w.size()), w, ic);
    case AttrOp::kSubstring:
      if (w.empty() || v.size() < w.size()) return false;
      for (size_t i = 0; i + w.size() <= v.size(); ++i) {
        if (str_equal(v.substr(i, w.size()), w, ic)) return true;
      }
      return false;
  }
  return false;
}

bool compound_matches(const Compound& c, const GumboNode* n, bool quirks) {
  if (!c.type.empty() && tag_name(n) != c.type) return false;
  if (!c.ids.empty()) {
    const char* id = find_attr(n, "id");
    if (id == nullptr) return false;
    for (const std::string& want : c.ids) {
      if (!str_equal(id, want, quirks)) return false;
    }
  }
  if (!c.classes.empty()) {
    const char* cls = find_attr(n, "class");
    if (cls == nullptr) return false;
    for (const std::string& want : c.classes) {
      if (!has_word(cls, want, quirks)) return false;
    }
  }
  for (const AttrTest& t : c.attrs) {
    if (!attr_matches(t, find_attr(n, t.name))) return false;
  }
  return true;
}

enum class Result { kMatch, kFailLocally, kFailCompletely };

// Right-to-left match of compounds [0, idx] with compound idx at `n`.
// Recursion depth is bounded by kMaxCompounds.
Result match_from(const Complex& cx, size_t idx, const GumboNode* n,
                  bool quirks) {
  if (!compound_matches(cx.compounds[idx], n, quirks)) {
    return Result::kFailLocally;
  }
  if (idx == 0) return Result::kMatch;
  const GumboNode* parent = element_parent(n);
  if (cx.combinators[idx - 1] == Combinator::kChild) {
    if (parent == nullptr) return Result::kFailCompletely;
    return match_from(cx, idx - 1, parent, quirks);
  }
  for (const GumboNode* a = parent; a != nullptr; a = element_parent(a)) {
    Result r = match_from(cx, idx - 1, a, quirks);
    if (r != Result::kFailLocally) return r;
  }
  return Result::kFailCompletely;
}

}  // namespace

absl::StatusOr<Selector> Selector::parse(std::string_view css) {
  if (css.size() > kMaxLength) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid selector: longer than ", kMaxLength,
                     " characters (", css.size(), ")"));
  }
  Parser p(css);
  absl::StatusOr<std::vector<Complex>> list = p.parse_list();
  if (!list.ok()) return list.status();
  Selector s;
  s.text_ = std::string(css);
  s.list_ = *std::move(list);
  return s;
}

bool Selector::matches(const GumboNode* node, bool quirks) const {
  if (!is_element(node)) return false;
  for (const Complex& cx : list_) {
    if (match_from(cx, cx.compounds.size() - 1, node, quirks) ==
        Result::kMatch) {
      return true;
    }
  }
  return false;
}

std::vector<const GumboNode*> select_all(const Document& doc,
                                         const Selector& selector) {
  std::vector<const GumboNode*> out;
  bool quirks = doc.quirks_mode();
  std::vector<const GumboNode*> todo{doc.document()};
  while (!todo.empty()) {
    const GumboNode* n = todo.back();
    todo.pop_back();
    const GumboVector* kids = nullptr;
    if (n->type == GUMBO_NODE_DOCUMENT) {
      kids = &n->v.document.children;
    } else if (is_element(n)) {
      kids = &n->v.element.children;
      if (selector.matches(n, quirks)) out.push_back(n);
    }
    if (kids == nullptr) continue;
    for (unsigned i = kids->length; i > 0; --i) {
      todo.push_back(static_cast<const GumboNode*>(kids->data[i - 1]));
    }
  }
  return out;
}

std::vector<std::string> select_texts(const Document& doc,
                                      const Selector& selector) {
  std::vector<std::string> out;
  for (const GumboNode* n : select_all(doc, selector)) {
    out.push_back(element_text(n));
  }
  return out;
}

}  // namespace aio::crawler
