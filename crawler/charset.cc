#include "crawler/charset.h"

#include <errno.h>
#include <iconv.h>

#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace aio::crawler {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

char lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

bool is_ws(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r';
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_ws(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_ws(s.back())) s.remove_suffix(1);
  return s;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// WHATWG Encoding Standard: labels -> encoding names.
struct Label {
  std::string_view label;
  std::string_view encoding;
};

constexpr Label kLabels[] = {
    {"unicode-1-1-utf-8", "utf-8"}, {"unicode11utf8", "utf-8"},
    {"unicode20utf8", "utf-8"}, {"utf-8", "utf-8"}, {"utf8", "utf-8"},
    {"x-unicode20utf8", "utf-8"},
    {"866", "ibm866"}, {"cp866", "ibm866"}, {"csibm866", "ibm866"},
    {"ibm866", "ibm866"},
    {"csisolatin2", "iso-8859-2"}, {"iso-8859-2", "iso-8859-2"},
    {"iso-ir-101", "iso-8859-2"}, {"iso8859-2", "iso-8859-2"},
    {"iso88592", "iso-8859-2"}, {"iso_8859-2", "iso-8859-2"},
    {"iso_8859-2:1987", "iso-8859-2"}, {"l2", "iso-8859-2"},
    {"latin2", "iso-8859-2"},
    {"csisolatin3", "iso-8859-3"}, {"iso-8859-3", "iso-8859-3"},
    {"iso-ir-109", "iso-8859-3"}, {"iso8859-3", "iso-8859-3"},
    {"iso88593", "iso-8859-3"}, {"iso_8859-3", "iso-8859-3"},
    {"iso_8859-3:1988", "iso-8859-3"}, {"l3", "iso-8859-3"},
    {"latin3", "iso-8859-3"},
    {"csisolatin4", "iso-8859-4"}, {"iso-8859-4", "iso-8859-4"},
    {"iso-ir-110", "iso-8859-4"}, {"iso8859-4", "iso-8859-4"},
    {"iso88594", "iso-8859-4"}, {"iso_8859-4", "iso-8859-4"},
    {"iso_8859-4:1988", "iso-8859-4"}, {"l4", "iso-8859-4"},
    {"latin4", "iso-8859-4"},
    {"csisolatincyrillic", "iso-8859-5"}, {"cyrillic", "iso-8859-5"},
    {"iso-8859-5", "iso-8859-5"}, {"iso-ir-144", "iso-8859-5"},
    {"iso8859-5", "iso-8859-5"}, {"iso88595", "iso-8859-5"},
    {"iso_8859-5", "iso-8859-5"}, {"iso_8859-5:1988", "iso-8859-5"},
    {"arabic", "iso-8859-6"}, {"asmo-708", "iso-8859-6"},
    {"csiso88596e", "iso-8859-6"}, {"csiso88596i", "iso-8859-6"},
    {"csisolatinarabic", "iso-8859-6"}, {"ecma-114", "iso-8859-6"},
    {"iso-8859-6", "iso-8859-6"}, {"iso-8859-6-e", "iso-8859-6"},
    {"iso-8859-6-i", "iso-8859-6"}, {"iso-ir-127", "iso-8859-6"},
    {"iso8859-6", "iso-8859-6"}, {"iso88596", "iso-8859-6"},
    {"iso_8859-6", "iso-8859-6"}, {"iso_8859-6:1987", "iso-8859-6"},
    {"csisolatingreek", "iso-8859-7"}, {"ecma-118", "iso-8859-7"},
    {"elot_928", "iso-8859-7"}, {"greek", "iso-8859-7"},
    {"greek8", "iso-8859-7"}, {"iso-8859-7", "iso-8859-7"},
    {"iso-ir-126", "iso-8859-7"}, {"iso8859-7", "iso-8859-7"},
    {"iso88597", "iso-8859-7"}, {"iso_8859-7", "iso-8859-7"},
    {"iso_8859-7:1987", "iso-8859-7"}, {"sun_eu_greek", "iso-8859-7"},
    {"csiso88598e", "iso-8859-8"}, {"csisolatinhebrew", "iso-8859-8"},
    {"hebrew", "iso-8859-8"}, {"iso-8859-8", "iso-8859-8"},
    {"iso-8859-8-e", "iso-8859-8"}, {"iso-ir-138", "iso-8859-8"},
    {"iso8859-8", "iso-8859-8"}, {"iso88598", "iso-8859-8"},
    {"iso_8859-8", "iso-8859-8"}, {"iso_8859-8:1988", "iso-8859-8"},
    {"visual", "iso-8859-8"},
    {"csiso88598i", "iso-8859-8-i"}, {"iso-8859-8-i", "iso-8859-8-i"},
    {"logical", "iso-8859-8-i"},
    {"csisolatin6", "iso-8859-10"}, {"iso-8859-10", "iso-8859-10"},
    {"iso-ir-157", "iso-8859-10"}, {"iso8859-10", "iso-8859-10"},
    {"iso885910", "iso-8859-10"}, {"l6", "iso-8859-10"},
    {"latin6", "iso-8859-10"},
    {"iso-8859-13", "iso-8859-13"}, {"iso8859-13", "iso-8859-13"},
    {"iso885913", "iso-8859-13"},
    {"iso-8859-14", "iso-8859-14"}, {"iso8859-14", "iso-8859-14"},
    {"iso885914", "iso-8859-14"},
    {"csisolatin9", "iso-8859-15"}, {"iso-8859-15", "iso-8859-15"},
    {"iso8859-15", "iso-8859-15"}, {"iso885915", "iso-8859-15"},
    {"iso_8859-15", "iso-8859-15"}, {"l9", "iso-8859-15"},
    {"iso-8859-16", "iso-8859-16"},
    {"cskoi8r", "koi8-r"}, {"koi", "koi8-r"}, {"koi8", "koi8-r"},
    {"koi8-r", "koi8-r"}, {"koi8_r", "koi8-r"},
    {"koi8-ru", "koi8-u"}, {"koi8-u", "koi8-u"},
    {"csmacintosh", "macintosh"}, {"mac", "macintosh"},
    {"macintosh", "macintosh"}, {"x-mac-roman", "macintosh"},
    {"dos-874", "windows-874"}, {"iso-8859-11", "windows-874"},
    {"iso8859-11", "windows-874"}, {"iso885911", "windows-874"},
    {"tis-620", "windows-874"}, {"windows-874", "windows-874"},
    {"cp1250", "windows-1250"}, {"windows-1250", "windows-1250"},
    {"x-cp1250", "windows-1250"},
    {"cp1251", "windows-1251"}, {"windows-1251", "windows-1251"},
    {"x-cp1251", "windows-1251"},
    {"ansi_x3.4-1968", "windows-1252"}, {"ascii", "windows-1252"},
    {"cp1252", "windows-1252"}, {"cp819", "windows-1252"},
    {"csisolatin1", "windows-1252"}, {"ibm819", "windows-1252"},
    {"iso-8859-1", "windows-1252"}, {"iso-ir-100", "windows-1252"},
    {"iso8859-1", "windows-1252"}, {"iso88591", "windows-1252"},
    {"iso_8859-1", "windows-1252"}, {"iso_8859-1:1987", "windows-1252"},
    {"l1", "windows-1252"}, {"latin1", "windows-1252"},
    {"us-ascii", "windows-1252"}, {"windows-1252", "windows-1252"},
    {"x-cp1252", "windows-1252"},
    {"cp1253", "windows-1253"}, {"windows-1253", "windows-1253"},
    {"x-cp1253", "windows-1253"},
    {"cp1254", "windows-1254"}, {"csisolatin5", "windows-1254"},
    {"iso-8859-9", "windows-1254"}, {"iso-ir-148", "windows-1254"},
    {"iso8859-9", "windows-1254"}, {"iso88599", "windows-1254"},
    {"iso_8859-9", "windows-1254"}, {"iso_8859-9:1989", "windows-1254"},
    {"l5", "windows-1254"}, {"latin5", "windows-1254"},
    {"windows-1254", "windows-1254"}, {"x-cp1254", "windows-1254"},
    {"cp1255", "windows-1255"}, {"windows-1255", "windows-1255"},
    {"x-cp1255", "windows-1255"},
    {"cp1256", "windows-1256"}, {"windows-1256", "windows-1256"},
    {"x-cp1256", "windows-1256"},
    {"cp1257", "windows-1257"}, {"windows-1257", "windows-1257"},
    {"x-cp1257", "windows-1257"},
    {"cp1258", "windows-1258"}, {"windows-1258", "windows-1258"},
    {"x-cp1258", "windows-1258"},
    {"x-mac-cyrillic", "x-mac-cyrillic"}, {"x-mac-ukrainian", "x-mac-cyrillic"},
    {"chinese", "gbk"}, {"csgb2312", "gbk"}, {"csiso58gb231280", "gbk"},
    {"gb2312", "gbk"}, {"gb_2312", "gbk"}, {"gb_2312-80", "gbk"},
    {"gbk", "gbk"}, {"iso-ir-58", "gbk"}, {"x-gbk", "gbk"},
    {"gb18030", "gb18030"},
    {"big5", "big5"}, {"big5-hkscs", "big5"}, {"cn-big5", "big5"},
    {"csbig5", "big5"}, {"x-x-big5", "big5"},
    {"cseucpkdfmtjapanese", "euc-jp"}, {"euc-jp", "euc-jp"},
    {"x-euc-jp", "euc-jp"},
    {"csiso2022jp", "iso-2022-jp"}, {"iso-2022-jp", "iso-2022-jp"},
    {"csshiftjis", "shift_jis"}, {"ms932", "shift_jis"},
    {"ms_kanji", "shift_jis"}, {"shift-jis", "shift_jis"},
    {"shift_jis", "shift_jis"}, {"sjis", "shift_jis"},
    {"windows-31j", "shift_jis"}, {"x-sjis", "shift_jis"},
    {"cseuckr", "euc-kr"}, {"csksc56011987", "euc-kr"}, {"euc-kr", "euc-kr"},
    {"iso-ir-149", "euc-kr"}, {"korean", "euc-kr"},
    {"ks_c_5601-1987", "euc-kr"}, {"ks_c_5601-1989", "euc-kr"},
    {"ksc5601", "euc-kr"}, {"ksc_5601", "euc-kr"}, {"windows-949", "euc-kr"},
    {"csiso2022kr", "replacement"}, {"hz-gb-2312", "replacement"},
    {"iso-2022-cn", "replacement"}, {"iso-2022-cn-ext", "replacement"},
    {"iso-2022-kr", "replacement"}, {"replacement", "replacement"},
    {"unicodefffe", "utf-16be"}, {"utf-16be", "utf-16be"},
    {"csunicode", "utf-16le"}, {"iso-10646-ucs-2", "utf-16le"},
    {"ucs-2", "utf-16le"}, {"unicode", "utf-16le"},
    {"unicodefeff", "utf-16le"}, {"utf-16", "utf-16le"},
    {"utf-16le", "utf-16le"},
    {"x-user-defined", "x-user-defined"},
};

// The glibc iconv name that decodes a WHATWG encoding (the closest superset
// where the names differ).
std::string_view iconv_name(std::string_view encoding) {
  struct Map {
    std::string_view encoding, iconv;
  };
  static constexpr Map kMap[] = {
      {"ibm866", "IBM866"},         {"iso-8859-2", "ISO-8859-2"},
      {"iso-8859-3", "ISO-8859-3"}, {"iso-8859-4", "ISO-8859-4"},
      {"iso-8859-5", "ISO-8859-5"}, {"iso-8859-6", "ISO-8859-6"},
      {"iso-8859-7", "ISO-8859-7"}, {"iso-8859-8", "ISO-8859-8"},
      {"iso-8859-8-i", "ISO-8859-8"}, {"iso-8859-10", "ISO-8859-10"},
      {"iso-8859-13", "ISO-8859-13"}, {"iso-8859-14", "ISO-8859-14"},
      {"iso-8859-15", "ISO-8859-15"}, {"iso-8859-16", "ISO-8859-16"},
      {"koi8-r", "KOI8-R"},         {"koi8-u", "KOI8-U"},
      {"macintosh", "MACINTOSH"},   {"windows-874", "CP874"},
      {"windows-1250", "CP1250"},   {"windows-1251", "CP1251"},
      {"windows-1253", "CP1253"},   {"windows-1254", "CP1254"},
      {"windows-1255", "CP1255"},   {"windows-1256", "CP1256"},
      {"windows-1257", "CP1257"},   {"windows-1258", "CP1258"},
      {"x-mac-cyrillic", "MAC-CYRILLIC"}, {"gbk", "GB18030"},
      {"gb18030", "GB18030"},       {"big5", "BIG5-HKSCS"},
      {"euc-jp", "EUC-JP"},         {"iso-2022-jp", "ISO-2022-JP"},
      {"shift_jis", "CP932"},       {"euc-kr", "CP949"},
      {"utf-16be", "UTF-16BE"},     {"utf-16le", "UTF-16LE"},
  };
  for (const Map& m : kMap) {
    if (m.encoding == encoding) return m.iconv;
  }
  return {};
}

// windows-1252's 0x80-0x9F (the Encoding Standard's index; unassigned bytes
// map to the C1 control of the same value).
constexpr uint16_t kWindows1252High[32] = {
    0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
    0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,
    0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178};

std::string decode_windows1252(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size() + bytes.size() / 4);
  for (char ch : bytes) {
    auto b = static_cast<unsigned char>(ch);
    if (b < 0x80) {
      out.push_back(ch);
    } else if (b < 0xA0) {
      append_utf8(out, kWindows1252High[b - 0x80]);
    } else {
      append_utf8(out, b);
    }
  }
  return out;
}

std::string decode_user_defined(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size() * 2);
  for (char ch : bytes) {
    auto b = static_cast<unsigned char>(ch);
    if (b < 0x80) {
      out.push_back(ch);
    } else {
      append_utf8(out, 0xF780 + b - 0x80);
    }
  }
  return out;
}

std::string decode_iconv(std::string_view bytes, std::string_view from,
                         size_t unit) {
  std::string from_name(from);
  iconv_t cd = iconv_open("UTF-8", from_name.c_str());
  if (cd == reinterpret_cast<iconv_t>(-1)) return sanitize_utf8(bytes);
  std::string out;
  out.resize(bytes.size() * 2 + 16);
  size_t used = 0;
  char* in = const_cast<char*>(bytes.data());
  size_t in_left = bytes.size();
  while (in_left > 0) {
    char* dst = out.data() + used;
    size_t dst_left = out.size() - used;
    size_t rc = iconv(cd, &in, &in_left, &dst, &dst_left);
    used = out.size() - dst_left;
    if (rc != static_cast<size_t>(-1)) break;
    if (errno == E2BIG) {
      out.resize(out.size() * 2);
    } else if (errno == EILSEQ) {
      // An invalid or unmappable sequence: U+FFFD, skip one code unit.
      if (out.size() - used < kReplacement.size()) out.resize(out.size() * 2);
      out.replace(used, kReplacement.size(), kReplacement);
      used += kReplacement.size();
      size_t skip = unit < in_left ? unit : in_left;
      in += skip;
      in_left -= skip;
      iconv(cd, nullptr, nullptr, nullptr, nullptr);  // reset shift state
    } else {
      // EINVAL: an incomplete sequence at the end.
      if (out.size() - used < kReplacement.size()) out.resize(out.size() * 2);
      out.replace(used, kReplacement.size(), kReplacement);
      used += kReplacement.size();
      break;
    }
  }
  // Flush a stateful encoding's shift sequence.
  {
    if (out.size() - used < 16) out.resize(used + 16);
    char* dst = out.data() + used;
    size_t dst_left = out.size() - used;
    iconv(cd, nullptr, nullptr, &dst, &dst_left);
    used = out.size() - dst_left;
  }
  iconv_close(cd);
  out.resize(used);
  // glibc's output is UTF-8; this pass guarantees it (and costs little).
  return sanitize_utf8(out);
}

// Finds `needle` (lower case) in `s` from `from`, ASCII case-insensitively.
size_t find_ci(std::string_view s, std::string_view needle, size_t from) {
  for (size_t i = from; i + needle.size() <= s.size(); ++i) {
    size_t j = 0;
    while (j < needle.size() && lower(s[i + j]) == needle[j]) ++j;
    if (j == needle.size()) return i;
  }
  return std::string_view::npos;
}

// HTML: "extracting a character encoding from a meta element".
std::optional<std::string> charset_from_content(std::string_view s) {
  size_t pos = 0;
  while (true) {
    size_t at = find_ci(s, "charset", pos);
    if (at == std::string_view::npos) return std::nullopt;
    pos = at + 7;
    while (pos < s.size() && is_ws(s[pos])) ++pos;
    if (pos >= s.size()) return std::nullopt;
    if (s[pos] != '=') continue;  // loop: look for the next "charset"
    ++pos;
    while (pos < s.size() && is_ws(s[pos])) ++pos;
    if (pos >= s.size()) return std::nullopt;
    if (s[pos] == '"' || s[pos] == '\'') {
      char q = s[pos];
      size_t end = s.find(q, pos + 1);
      if (end == std::string_view::npos) return std::nullopt;
      return std::string(s.substr(pos + 1, end - pos - 1));
    }
    size_t end = pos;
    while (end < s.size() && !is_ws(s[end]) && s[end] != ';') ++end;
    return std::string(s.substr(pos, end - pos));
  }
}

struct Attr {
  std::string name, value;
};

// HTML prescan: "get an attribute". Returns false when there is none (at
// '>' or the end).
bool get_attribute(std::string_view s, size_t& pos, Attr& attr) {
  attr.name.clear();
  attr.value.clear();
  while (pos < s.size() && (is_ws(s[pos]) || s[pos] == '/')) ++pos;
  if (pos >= s.size() || s[pos] == '>') return false;
  // Name.
  while (true) {
    if (pos >= s.size()) return false;
    char c = s[pos];
    if (c == '=' && !attr.name.empty()) {
      ++pos;
      break;
    }
    if (is_ws(c)) {
      while (pos < s.size() && is_ws(s[pos])) ++pos;
      if (pos >= s.size()) return false;
      if (s[pos] != '=') return true;  // attribute without a value
      ++pos;
      break;
    }
    if (c == '/' || c == '>') return true;
    attr.name.push_back(lower(c));
    ++pos;
  }
  // Value.
  while (pos < s.size() && is_ws(s[pos])) ++pos;
  if (pos >= s.size()) return false;
  char c = s[pos];
  if (c == '"' || c == '\'') {
    ++pos;
    while (true) {
      if (pos >= s.size()) return false;
      if (s[pos] == c) {
        ++pos;
        return true;
      }
      attr.value.push_back(lower(s[pos]));
      ++pos;
    }
  }
  if (c == '>') return true;
  while (pos < s.size() && !is_ws(s[pos]) && s[pos] != '>') {
    attr.value.push_back(lower(s[pos]));
    ++pos;
  }
  return pos < s.size();
}

bool is_alpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

}  // namespace

std::optional<std::string> encoding_for_label(std::string_view label) {
  label = trim(label);
  if (label.empty() || label.size() > 32) return std::nullopt;
  for (const Label& l : kLabels) {
    if (iequals(l.label, label)) return std::string(l.encoding);
  }
  return std::nullopt;
}

std::string charset_param(std::string_view content_type) {
  size_t semi = content_type.find(';');
  while (semi != std::string_view::npos) {
    std::string_view rest = content_type.substr(semi + 1);
    size_t next = std::string_view::npos;
    // A parameter ends at the next ';' outside quotes.
    bool quoted = false;
    for (size_t i = 0; i < rest.size(); ++i) {
      if (rest[i] == '"') quoted = !quoted;
      if (rest[i] == ';' && !quoted) {
        next = i;
        break;
      }
    }
    std::string_view param =
        trim(next == std::string_view::npos ? rest : rest.substr(0, next));
    size_t eq = param.find('=');
    if (eq != std::string_view::npos &&
        iequals(trim(param.substr(0, eq)), "charset")) {
      std::string_view value = trim(param.substr(eq + 1));
      if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
        value = value.substr(1, value.size() - 2);
      }
      return std::string(trim(value));
    }
    semi = next == std::string_view::npos ? next : semi + 1 + next;
  }
  return {};
}

std::optional<std::string> prescan_meta_charset(std::string_view s) {
  if (s.size() > 1024) s = s.substr(0, 1024);
  size_t pos = 0;
  while (pos < s.size()) {
    if (s.compare(pos, 4, "<!--") == 0) {
      size_t end = s.find("-->", pos + 2);
      if (end == std::string_view::npos) return std::nullopt;
      pos = end + 3;
      continue;
    }
    if (pos + 6 <= s.size() && find_ci(s.substr(pos, 5), "<meta", 0) == 0 &&
        (is_ws(s[pos + 5]) || s[pos + 5] == '/')) {
      pos += 6;
      std::vector<std::string> seen;
      bool got_pragma = false;
      int need_pragma = -1;  // -1 null, 0 false, 1 true
      std::optional<std::string> charset;
      Attr a;
      while (get_attribute(s, pos, a)) {
        bool dup = false;
        for (const std::string& n : seen) dup = dup || n == a.name;
        if (dup) continue;
        seen.push_back(a.name);
        if (a.name == "http-equiv") {
          if (a.value == "content-type") got_pragma = true;
        } else if (a.name == "content") {
          if (!charset) {
            if (auto label = charset_from_content(a.value)) {
              if (auto enc = encoding_for_label(*label)) {
                charset = enc;
                need_pragma = 1;
              }
            }
          }
        } else if (a.name == "charset") {
          charset = encoding_for_label(a.value);
          need_pragma = 0;
        }
      }
      if (need_pragma == -1 || (need_pragma == 1 && !got_pragma) ||
          !charset) {
        continue;
      }
      if (*charset == "utf-16be" || *charset == "utf-16le") return "utf-8";
      if (*charset == "x-user-defined") return "windows-1252";
      return charset;
    }
    if (s[pos] == '<' && pos + 1 < s.size() &&
        (is_alpha(s[pos + 1]) ||
         (s[pos + 1] == '/' && pos + 2 < s.size() && is_alpha(s[pos + 2])))) {
      // A tag: skip its name and attributes.
      pos += s[pos + 1] == '/' ? 2 : 1;
      while (pos < s.size() && !is_ws(s[pos]) && s[pos] != '>') ++pos;
      Attr a;
      while (get_attribute(s, pos, a)) {
      }
      ++pos;
      continue;
    }
    if (s.compare(pos, 2, "<!") == 0 || s.compare(pos, 2, "</") == 0 ||
        s.compare(pos, 2, "<?") == 0) {
      size_t end = s.find('>', pos + 2);
      if (end == std::string_view::npos) return std::nullopt;
      pos = end + 1;
      continue;
    }
    ++pos;
  }
  return std::nullopt;
}

namespace {

// What a UTF-8 lead byte announces (RFC 3629 table 3-7): the sequence length
// (0: not a lead byte) and the range of the byte after it (the other
// continuation bytes are 0x80..0xBF).
struct Utf8Lead {
  size_t len = 0;
  unsigned char lo = 0x80, hi = 0xBF;
};

Utf8Lead utf8_lead(unsigned char b) {
  Utf8Lead l;
  if (b >= 0xC2 && b <= 0xDF) {
    l.len = 2;
  } else if (b >= 0xE0 && b <= 0xEF) {
    l.len = 3;
    if (b == 0xE0) l.lo = 0xA0;
    if (b == 0xED) l.hi = 0x9F;
  } else if (b >= 0xF0 && b <= 0xF4) {
    l.len = 4;
    if (b == 0xF0) l.lo = 0x90;
    if (b == 0xF4) l.hi = 0x8F;
  }
  return l;
}

}  // namespace

size_t valid_utf8_prefix(std::string_view s) {
  const size_t n = s.size();
  auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  size_t i = 0;
  while (i < n) {
    // ASCII eight bytes at a time: most of an HTML page.
    while (i + 8 <= n) {
      uint64_t w;
      std::memcpy(&w, s.data() + i, 8);
      if (w & 0x8080808080808080ull) break;
      i += 8;
    }
    if (i >= n) break;
    unsigned char b = byte(i);
    if (b < 0x80) {
      ++i;
      continue;
    }
    const Utf8Lead lead = utf8_lead(b);
    const size_t len = lead.len;
    const unsigned char lo = lead.lo, hi = lead.hi;
    if (len == 0) return i;
    if (i + len > n) return i;
    for (size_t k = 1; k < len; ++k) {
      unsigned char c = byte(i + k);
      if (c < (k == 1 ? lo : 0x80) || c > (k == 1 ? hi : 0xBF)) return i;
    }
    i += len;
  }
  return n;
}

std::string sanitize_utf8(std::string_view s) {
  // Valid input (nearly every page) is one copy.
  size_t i = valid_utf8_prefix(s);
  if (i == s.size()) return std::string(s);
  std::string out;
  out.reserve(s.size() + 16);
  out.append(s.substr(0, i));
  const size_t n = s.size();
  auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  while (i < n) {
    unsigned char b = byte(i);
    if (b < 0x80) {
      out.push_back(static_cast<char>(b));
      ++i;
      continue;
    }
    const Utf8Lead lead = utf8_lead(b);
    const size_t len = lead.len;
    const unsigned char lo = lead.lo, hi = lead.hi;
    if (len == 0) {
      out.append(kReplacement);
      ++i;
      continue;
    }
    // The maximal subpart: stop at the first byte that cannot continue.
    size_t k = 1;
    for (; k < len; ++k) {
      if (i + k >= n) break;
      unsigned char c = byte(i + k);
      unsigned char l = k == 1 ? lo : 0x80, h = k == 1 ? hi : 0xBF;
      if (c < l || c > h) break;
    }
    if (k == len) {
      out.append(s.substr(i, len));
    } else {
      out.append(kReplacement);
    }
    i += k;
  }
  return out;
}

std::string to_utf8(std::string_view bytes, std::string_view encoding) {
  if (encoding == "utf-8") return sanitize_utf8(bytes);
  if (encoding == "windows-1252") return decode_windows1252(bytes);
  if (encoding == "x-user-defined") return decode_user_defined(bytes);
  if (encoding == "replacement") {
    return bytes.empty() ? std::string() : std::string(kReplacement);
  }
  std::string_view name = iconv_name(encoding);
  if (name.empty()) return sanitize_utf8(bytes);
  size_t unit = (encoding == "utf-16be" || encoding == "utf-16le") ? 2 : 1;
  return decode_iconv(bytes, name, unit);
}

namespace {

// The encoding decode_html uses for `body` and the length of its BOM.
std::string sniff_encoding(std::string_view body,
                           std::string_view content_type_header,
                           size_t& bom) {
  bom = 0;
  if (body.substr(0, 3) == "\xEF\xBB\xBF") {
    bom = 3;
    return "utf-8";
  }
  if (body.substr(0, 2) == "\xFE\xFF") {
    bom = 2;
    return "utf-16be";
  }
  if (body.substr(0, 2) == "\xFF\xFE") {
    bom = 2;
    return "utf-16le";
  }
  if (auto header = encoding_for_label(charset_param(content_type_header))) {
    return *header;
  }
  if (auto meta = prescan_meta_charset(body)) return *meta;
  return "utf-8";
}

}  // namespace

Decoded decode_html(std::string_view body,
                    std::string_view content_type_header) {
  size_t bom = 0;
  Decoded d;
  d.charset = sniff_encoding(body, content_type_header, bom);
  d.utf8 = to_utf8(body.substr(bom), d.charset);
  return d;
}

Decoded decode_html(std::string&& body, std::string_view content_type_header) {
  size_t bom = 0;
  Decoded d;
  d.charset = sniff_encoding(body, content_type_header, bom);
  if (d.charset == "utf-8" &&
      valid_utf8_prefix(std::string_view(body).substr(bom)) ==
          body.size() - bom) {
    // Already what is asked for: the body itself, without a copy.
    body.erase(0, bom);
    d.utf8 = std::move(body);
  } else {
    d.utf8 = to_utf8(std::string_view(body).substr(bom), d.charset);
    std::string().swap(body);
  }
  return d;
}

bool is_html_content_type(std::string_view content_type) {
  std::string_view media = trim(content_type.substr(0, content_type.find(';')));
  return iequals(media, "text/html") || iequals(media, "application/xhtml+xml");
}

}  // namespace aio::crawler
