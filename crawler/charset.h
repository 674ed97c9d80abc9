// aio::crawler character sets: a response body to UTF-8, as a browser decodes
// an HTML page.
//
// decode_html(body, content_type) picks the encoding in the HTML standard's
// order ("determining the character encoding"):
//   1. a byte order mark (UTF-8 EF BB BF, UTF-16BE FE FF, UTF-16LE FF FE):
//      HTML lets the BOM win over the header, because a BOM is never there
//      by accident (a UTF-8 page served as "charset=iso-8859-1" with a BOM
//      is UTF-8 in every browser);
//   2. the charset parameter of the Content-Type header;
//   3. the <meta charset=...> / <meta http-equiv="Content-Type"
//      content="...charset=..."> prescan of the first 1024 bytes (the HTML
//      standard's algorithm: comments, other tags and their attributes are
//      skipped; a declared UTF-16 means UTF-8; x-user-defined means
//      windows-1252);
//   4. UTF-8.
// Labels are resolved as the WHATWG Encoding Standard says, case-
// insensitively, whitespace-trimmed: "latin1", "iso-8859-1", "ascii" ->
// windows-1252; "gb2312" -> gbk (decoded as gb18030, its superset);
// "sjis" -> shift_jis (Windows-31J); "euc-kr" -> windows-949; "big5" ->
// Big5-HKSCS; iso-2022-kr / hz-gb-2312 -> "replacement" (one U+FFFD). An
// unknown label is ignored and the next step decides.
// Conversion is glibc's iconv (UTF-8 and windows-1252 / x-user-defined are
// decoded here directly). Every invalid or unmappable byte sequence becomes
// U+FFFD and decoding goes on: the result is valid UTF-8 whatever the input,
// and the BOM is removed.
//
// Pure functions; safe from any thread (each call opens its own iconv_t).
#ifndef AIO_CRAWLER_CHARSET_H_
#define AIO_CRAWLER_CHARSET_H_

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace aio::crawler {

struct Decoded {
  std::string utf8;     // valid UTF-8, without a BOM
  std::string charset;  // the WHATWG name of the encoding used: "utf-8", ...
};

Decoded decode_html(std::string_view body,
                    std::string_view content_type_header);
// The same, taking the body: valid UTF-8 (the common case) becomes the
// result without a copy; otherwise the body is released once decoded.
Decoded decode_html(std::string&& body, std::string_view content_type_header);
inline Decoded decode_html(const char* body,
                           std::string_view content_type_header) {
  return decode_html(std::string_view(body), content_type_header);
}

// The WHATWG encoding name for `label` ("Latin1 " -> "windows-1252"), or
// nullopt for an unknown label.
std::optional<std::string> encoding_for_label(std::string_view label);

// The charset parameter of a Content-Type value (unquoted), or "".
std::string charset_param(std::string_view content_type);

// The encoding the <meta> prescan of `head` finds (WHATWG name), or nullopt.
std::optional<std::string> prescan_meta_charset(std::string_view head);

// Converts `bytes` in `encoding` (a WHATWG name, e.g. from
// encoding_for_label) to UTF-8, invalid sequences -> U+FFFD. An unknown name
// is decoded as UTF-8.
std::string to_utf8(std::string_view bytes, std::string_view encoding);

// `s` with every invalid UTF-8 sequence replaced by U+FFFD (one per maximal
// invalid subpart, as the Encoding Standard's decoder does).
std::string sanitize_utf8(std::string_view s);

// The length of the longest prefix of `s` that is valid UTF-8 made of
// whole sequences: s.size() when all of `s` is valid.
size_t valid_utf8_prefix(std::string_view s);

// Is this Content-Type an HTML document (text/html or
// application/xhtml+xml, case-insensitive, parameters ignored)? Decided by
// the header alone: a missing or empty header is not HTML.
bool is_html_content_type(std::string_view content_type);

}  // namespace aio::crawler

#endif  // AIO_CRAWLER_CHARSET_H_
