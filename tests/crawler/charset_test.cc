#include "crawler/charset.h"

#include <random>
#include <string>
#include <string_view>
#include <utility>

#include "gtest/gtest.h"

namespace aio::crawler {
namespace {

constexpr char kFFFD[] = "\xEF\xBF\xBD";

bool valid_utf8(std::string_view s) { return sanitize_utf8(s) == s; }

TEST(EncodingForLabelTest, WhatwgAliases) {
  EXPECT_EQ(encoding_for_label("latin1"), "windows-1252");
  EXPECT_EQ(encoding_for_label("ISO-8859-1"), "windows-1252");
  EXPECT_EQ(encoding_for_label("us-ascii"), "windows-1252");
  EXPECT_EQ(encoding_for_label(" \tUTF8 \n"), "utf-8");
  EXPECT_EQ(encoding_for_label("gb2312"), "gbk");
  EXPECT_EQ(encoding_for_label("GB_2312-80"), "gbk");
  EXPECT_EQ(encoding_for_label("gb18030"), "gb18030");
  EXPECT_EQ(encoding_for_label("sjis"), "shift_jis");
  EXPECT_EQ(encoding_for_label("windows-31j"), "shift_jis");
  EXPECT_EQ(encoding_for_label("ks_c_5601-1987"), "euc-kr");
  EXPECT_EQ(encoding_for_label("big5-hkscs"), "big5");
  EXPECT_EQ(encoding_for_label("iso-8859-9"), "windows-1254");
  EXPECT_EQ(encoding_for_label("tis-620"), "windows-874");
  EXPECT_EQ(encoding_for_label("koi8"), "koi8-r");
  EXPECT_EQ(encoding_for_label("utf-16"), "utf-16le");
  EXPECT_EQ(encoding_for_label("iso-2022-kr"), "replacement");
  EXPECT_FALSE(encoding_for_label("").has_value());
  EXPECT_FALSE(encoding_for_label("utf-7").has_value());
  EXPECT_FALSE(encoding_for_label("klingon").has_value());
  EXPECT_FALSE(encoding_for_label(std::string(1000, 'a')).has_value());
}

TEST(CharsetParamTest, QuotedUnquotedAndAbsent) {
  EXPECT_EQ(charset_param("text/html; charset=UTF-8"), "UTF-8");
  EXPECT_EQ(charset_param("text/html;charset=\"gbk\""), "gbk");
  EXPECT_EQ(charset_param("text/html; a=\"x;y\"; CharSet = latin1 "), "latin1");
  EXPECT_EQ(charset_param("text/html"), "");
  EXPECT_EQ(charset_param(""), "");
  EXPECT_EQ(charset_param("text/html; charset="), "");
}

TEST(PrescanTest, MetaCharset) {
  EXPECT_EQ(prescan_meta_charset("<meta charset=gbk>"), "gbk");
  EXPECT_EQ(prescan_meta_charset("<html><head><META CHARSET='Shift_JIS'>"),
            "shift_jis");
  EXPECT_EQ(prescan_meta_charset("<meta charset=\"koi8-r\"/>"), "koi8-r");
}

TEST(PrescanTest, HttpEquivNeedsThePragma) {
  EXPECT_EQ(prescan_meta_charset("<meta http-equiv=\"Content-Type\" "
                                 "content=\"text/html; charset=euc-jp\">"),
            "euc-jp");
  EXPECT_EQ(prescan_meta_charset("<meta content='text/html;charset=big5' "
                                 "http-equiv=content-type>"),
            "big5");
  // content= without http-equiv=content-type does not count.
  EXPECT_FALSE(
      prescan_meta_charset("<meta content='text/html; charset=big5'>"));
  EXPECT_FALSE(prescan_meta_charset(
      "<meta http-equiv=refresh content='0; charset=big5'>"));
}

TEST(PrescanTest, SkipsCommentsAndOtherTagsAttributes) {
  EXPECT_FALSE(prescan_meta_charset("<!-- <meta charset=gbk> -->"));
  EXPECT_EQ(prescan_meta_charset("<!-- <meta charset=gbk> --><meta charset=big5>"),
            "big5");
  EXPECT_EQ(prescan_meta_charset("<div title='<meta charset=gbk>'>"
                                 "<meta charset=euc-kr>"),
            "euc-kr");
  EXPECT_FALSE(prescan_meta_charset("<metal charset=gbk>"));
}

TEST(PrescanTest, FirstUsableMetaWins) {
  EXPECT_EQ(prescan_meta_charset("<meta charset=bogus><meta charset=gbk>"
                                 "<meta charset=big5>"),
            "gbk");
}

TEST(PrescanTest, OnlyTheFirst1024Bytes) {
  std::string late = std::string(1024, ' ') + "<meta charset=gbk>";
  EXPECT_FALSE(prescan_meta_charset(late));
  std::string early = std::string(1000, ' ') + "<meta charset=gbk>";
  EXPECT_EQ(prescan_meta_charset(early), "gbk");
}

TEST(PrescanTest, Utf16AndUserDefinedMapped) {
  EXPECT_EQ(prescan_meta_charset("<meta charset=utf-16le>"), "utf-8");
  EXPECT_EQ(prescan_meta_charset("<meta charset=x-user-defined>"),
            "windows-1252");
}

TEST(DecodeHtmlTest, DefaultIsUtf8) {
  Decoded d = decode_html("caf\xC3\xA9", "text/html");
  EXPECT_EQ(d.utf8, "caf\xC3\xA9");
  EXPECT_EQ(d.charset, "utf-8");
}

TEST(DecodeHtmlTest, HeaderBeatsMeta) {
  Decoded d = decode_html("<meta charset=gbk>caf\xE9", "text/html; charset=latin1");
  EXPECT_EQ(d.charset, "windows-1252");
  EXPECT_EQ(d.utf8, "<meta charset=gbk>caf\xC3\xA9");
}

TEST(DecodeHtmlTest, MetaWhenTheHeaderHasNone) {
  // "中文" in GBK.
  Decoded d = decode_html("<meta charset=gb2312>\xD6\xD0\xCE\xC4", "text/html");
  EXPECT_EQ(d.charset, "gbk");
  EXPECT_EQ(d.utf8, "<meta charset=gb2312>\xE4\xB8\xAD\xE6\x96\x87");
}

TEST(DecodeHtmlTest, UnknownHeaderLabelFallsThroughToMeta) {
  Decoded d = decode_html("<meta charset=koi8-r>\xF0", "text/html; charset=bogus");
  EXPECT_EQ(d.charset, "koi8-r");
  EXPECT_EQ(d.utf8, "<meta charset=koi8-r>\xD0\x9F");  // П
}

TEST(DecodeHtmlTest, BomBeatsHeaderAndMetaAndIsRemoved) {
  Decoded a = decode_html("\xEF\xBB\xBF<meta charset=gbk>\xC3\xA9",
                          "text/html; charset=iso-8859-1");
  EXPECT_EQ(a.charset, "utf-8");
  EXPECT_EQ(a.utf8, "<meta charset=gbk>\xC3\xA9");
  Decoded b = decode_html(std::string("\xFF\xFE" "a\0\xE9\0", 6), "");
  EXPECT_EQ(b.charset, "utf-16le");
  EXPECT_EQ(b.utf8, "a\xC3\xA9");
  Decoded c = decode_html(std::string("\xFE\xFF\0a\0\xE9", 6), "");
  EXPECT_EQ(c.charset, "utf-16be");
  EXPECT_EQ(c.utf8, "a\xC3\xA9");
}

TEST(DecodeHtmlTest, InvalidUtf8BecomesReplacement) {
  Decoded d = decode_html("a\xFF" "b\xC3", "text/html; charset=utf-8");
  EXPECT_EQ(d.utf8, std::string("a") + kFFFD + "b" + kFFFD);
}

struct Case {
  const char* label;
  std::string bytes;
  const char* utf8;
};

TEST(ToUtf8Test, EveryRequiredFamily) {
  const Case cases[] = {
      {"gbk", "\xD6\xD0\xCE\xC4", "\xE4\xB8\xAD\xE6\x96\x87"},           // 中文
      {"gb18030", "\x81\x30\x81\x30", "\xC2\x80"},                      // U+0080
      {"big5", "\xA4\xA4\xA4\xE5", "\xE4\xB8\xAD\xE6\x96\x87"},          // 中文
      {"shift_jis", "\x82\xA0\x88\x9F", "\xE3\x81\x82\xE4\xBA\x9C"},     // あ亜
      {"euc-jp", "\xA4\xA2\xB0\xA1", "\xE3\x81\x82\xE4\xBA\x9C"},        // あ亜
      {"iso-2022-jp", "\x1B$B$\"\x1B(B", "\xE3\x81\x82"},                // あ
      {"euc-kr", "\xC7\xD1\xB1\xDB", "\xED\x95\x9C\xEA\xB8\x80"},        // 한글
      {"iso-8859-2", "\xA3\xB3", "\xC5\x81\xC5\x82"},                    // Łł
      {"iso-8859-5", "\xBF", "\xD0\x9F"},                                // П
      {"iso-8859-7", "\xE1", "\xCE\xB1"},                                // α
      {"iso-8859-15", "\xA4", "\xE2\x82\xAC"},                           // €
      {"windows-1250", "\x8A", "\xC5\xA0"},                              // Š
      {"windows-1251", "\xCF\xF0\xE8", "\xD0\x9F\xD1\x80\xD0\xB8"},      // При
      {"windows-1252", "\x80\x93\xE9", "\xE2\x82\xAC\xE2\x80\x9C\xC3\xA9"},
      {"windows-1256", "\xC7", "\xD8\xA7"},                              // ا
      {"koi8-r", "\xF0\xD2\xC9", "\xD0\x9F\xD1\x80\xD0\xB8"},            // При
      {"koi8-u", "\xA4", "\xD1\x94"},                                    // є
      {"ibm866", "\x8F", "\xD0\x9F"},                                    // П
      {"macintosh", "\x8E", "\xC3\xA9"},                                 // é
      {"windows-874", "\xA1", "\xE0\xB8\x81"},                           // ก
      {"x-mac-cyrillic", "\x8F", "\xD0\x9F"},                            // П
  };
  for (const Case& c : cases) {
    EXPECT_EQ(to_utf8(c.bytes, c.label), c.utf8) << c.label;
  }
}

TEST(ToUtf8Test, Windows1252UnassignedBytesAreC1Controls) {
  EXPECT_EQ(to_utf8("\x81\x8D", "windows-1252"), "\xC2\x81\xC2\x8D");
}

TEST(ToUtf8Test, InvalidBytesBecomeReplacementAndDecodingGoesOn) {
  // 0xFF is never valid in Shift_JIS; a lone lead byte at the end neither.
  EXPECT_EQ(to_utf8("a\xFF" "b\x82", "shift_jis"),
            std::string("a") + kFFFD + "b" + kFFFD);
  // GBK: an invalid trail byte.
  std::string out = to_utf8("\xD6\x20x", "gbk");
  EXPECT_TRUE(valid_utf8(out));
  EXPECT_NE(out.find(kFFFD), std::string::npos) << out;
  EXPECT_NE(out.find('x'), std::string::npos) << out;
  // Unpaired UTF-16 surrogate, then an odd byte.
  EXPECT_EQ(to_utf8(std::string("\x00\xD8" "a\0b", 5), "utf-16le"),
            std::string(kFFFD) + "a" + kFFFD);
}

TEST(ToUtf8Test, ReplacementEncodingIsOneReplacementCharacter) {
  EXPECT_EQ(to_utf8("anything", "replacement"), kFFFD);
  EXPECT_EQ(to_utf8("", "replacement"), "");
}

TEST(ToUtf8Test, UserDefinedMapsHighBytesToPrivateUse) {
  EXPECT_EQ(to_utf8("a\x80", "x-user-defined"), "a\xEF\x9E\x80");  // U+F780
}

TEST(ToUtf8Test, EmptyInput) {
  EXPECT_EQ(to_utf8("", "gbk"), "");
  EXPECT_EQ(to_utf8("", "utf-8"), "");
  EXPECT_EQ(decode_html("", "").utf8, "");
}

TEST(SanitizeUtf8Test, MaximalSubparts) {
  // Unicode's table 3-8 example: each maximal subpart -> one U+FFFD.
  std::string in = "\x61\xF1\x80\x80\xE1\x80\xC2\x62\x80\x63\x80\xBF\x64";
  std::string want = std::string("a") + kFFFD + kFFFD + kFFFD + "b" + kFFFD +
                     "c" + kFFFD + kFFFD + "d";
  EXPECT_EQ(sanitize_utf8(in), want);
  EXPECT_EQ(sanitize_utf8("\xED\xA0\x80"), std::string(kFFFD) + kFFFD + kFFFD);
  EXPECT_EQ(sanitize_utf8("\xC0\xAF"), std::string(kFFFD) + kFFFD);
  EXPECT_EQ(sanitize_utf8("\xF4\x90\x80\x80"),
            std::string(kFFFD) + kFFFD + kFFFD + kFFFD);
  EXPECT_EQ(sanitize_utf8("\xF0\x9F\x98\x80"), "\xF0\x9F\x98\x80");
  EXPECT_EQ(sanitize_utf8(std::string("a\0b", 3)), std::string("a\0b", 3));
}

TEST(DecodeHtmlTest, RandomBytesAlwaysGiveValidUtf8) {
  std::mt19937 rng(12345);
  const char* labels[] = {"", "text/html; charset=utf-8",
                          "text/html; charset=gbk", "text/html; charset=big5",
                          "text/html; charset=shift_jis",
                          "text/html; charset=euc-jp",
                          "text/html; charset=iso-2022-jp",
                          "text/html; charset=euc-kr",
                          "text/html; charset=utf-16le",
                          "text/html; charset=utf-16be",
                          "text/html; charset=koi8-r",
                          "text/html; charset=windows-1255",
                          "text/html; charset=gb18030"};
  for (int i = 0; i < 600; ++i) {
    std::string body(rng() % 300, '\0');
    for (char& c : body) c = static_cast<char>(rng());
    const char* ct = labels[i % std::size(labels)];
    Decoded d = decode_html(body, ct);
    ASSERT_TRUE(valid_utf8(d.utf8)) << ct;
  }
}

TEST(ValidUtf8PrefixTest, StopsAtTheFirstInvalidOrIncompleteSequence) {
  EXPECT_EQ(valid_utf8_prefix(""), 0u);
  EXPECT_EQ(valid_utf8_prefix("0123456789abcdefghij"), 20u);
  EXPECT_EQ(valid_utf8_prefix("0123456789abc\xFFxyz"), 13u);
  EXPECT_EQ(valid_utf8_prefix("0123456789abcdef\xC3\xA9"), 18u);
  EXPECT_EQ(valid_utf8_prefix("0123456789abcdef\xE2\x82"), 16u);  // cut short
  EXPECT_EQ(valid_utf8_prefix("ab\xED\xA0\x80"), 2u);   // a surrogate
  EXPECT_EQ(valid_utf8_prefix("ab\xC0\xAF"), 2u);        // overlong
  EXPECT_EQ(valid_utf8_prefix("ab\xF4\x90\x80\x80"), 2u);  // > U+10FFFF
  EXPECT_EQ(valid_utf8_prefix("\xF0\x9F\x98\x80\xE2\x82\xAC"), 7u);
  EXPECT_EQ(valid_utf8_prefix(std::string("a\0b", 3)), 3u);
}

// The fast scan and the sanitizer agree: the valid prefix is kept as it is,
// and the whole is valid exactly when sanitizing changes nothing.
TEST(ValidUtf8PrefixTest, AgreesWithSanitizeOnRandomBytes) {
  std::mt19937 rng(99);
  const std::string pieces[] = {"abcdefgh", "\xC3\xA9", "\xE2\x82\xAC",
                                "\xF0\x9F\x98\x80", "\x80", "\xFF", "\xED\xA0",
                                "\xE2", "x"};
  for (int i = 0; i < 5000; ++i) {
    std::string in;
    for (int k = static_cast<int>(rng() % 12); k > 0; --k) {
      in += pieces[rng() % std::size(pieces)];
    }
    size_t n = valid_utf8_prefix(in);
    std::string out = sanitize_utf8(in);
    ASSERT_EQ(n == in.size(), out == in) << i;
    ASSERT_EQ(out.substr(0, n), in.substr(0, n)) << i;
  }
}

TEST(DecodeHtmlTest, TakingTheBodyGivesTheSameResult) {
  std::mt19937 rng(4242);
  const char* labels[] = {"", "text/html; charset=utf-8",
                          "text/html; charset=gbk", "text/html; charset=latin1",
                          "text/html; charset=utf-16le"};
  for (int i = 0; i < 500; ++i) {
    std::string body = i % 3 == 0 ? "\xEF\xBB\xBF" : "";
    for (int k = static_cast<int>(rng() % 200); k > 0; --k) {
      body.push_back(i % 2 ? static_cast<char>(rng()) : static_cast<char>('a' + rng() % 26));
    }
    const char* ct = labels[i % std::size(labels)];
    Decoded by_view = decode_html(std::string_view(body), ct);
    Decoded taken = decode_html(std::string(body), ct);
    ASSERT_EQ(taken.utf8, by_view.utf8) << i;
    ASSERT_EQ(taken.charset, by_view.charset) << i;
  }
}

TEST(DecodeHtmlTest, ValidUtf8BodyIsTakenWithoutACopy) {
  std::string body(100000, 'a');
  body += "\xC3\xA9";
  const char* bytes = body.data();
  Decoded d = decode_html(std::move(body), "text/html; charset=UTF-8");
  EXPECT_EQ(d.utf8.data(), bytes);
  EXPECT_EQ(d.utf8.size(), 100002u);
  std::string with_bom = "\xEF\xBB\xBF<p>x";
  EXPECT_EQ(decode_html(std::move(with_bom), "").utf8, "<p>x");
}

TEST(IsHtmlContentTypeTest, ByTheHeaderOnly) {
  EXPECT_TRUE(is_html_content_type("text/html"));
  EXPECT_TRUE(is_html_content_type("TEXT/HTML; charset=utf-8"));
  EXPECT_TRUE(is_html_content_type("  Text/Html ;q=1"));
  EXPECT_TRUE(is_html_content_type("application/xhtml+xml"));
  EXPECT_FALSE(is_html_content_type(""));
  EXPECT_FALSE(is_html_content_type("text/plain"));
  EXPECT_FALSE(is_html_content_type("text/htmlx"));
  EXPECT_FALSE(is_html_content_type("application/json"));
  EXPECT_FALSE(is_html_content_type("image/png; name=page.html"));
  EXPECT_FALSE(is_html_content_type("application/octet-stream"));
}

}  // namespace
}  // namespace aio::crawler
