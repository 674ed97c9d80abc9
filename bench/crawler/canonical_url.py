"""Canonical URLs by issue 12's rules, in Python: what the tutorial-style
crawler uses to visit each URL once, and what the driver compares every
crawler's output and nginx's request log with.

RFC 3986: lower-case scheme and host, default port dropped, empty path "/",
dot segments removed (5.2.4), percent-encoding normalised (6.2.2: hex digits
upper-case, unreserved characters decoded; spaces, controls and non-ASCII
encoded as UTF-8), reserved characters and query order left alone, fragment
dropped. Standard library only.
"""

from urllib.parse import urljoin, urlsplit

_UNRESERVED = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
_HEX = frozenset(b"0123456789abcdefABCDEF")
# Bytes a URL may not hold raw (RFC 3986 2; WHATWG's path percent-encode set).
_ENCODE = frozenset(range(0, 0x21)) | frozenset(range(0x7F, 0x100)) | frozenset(b'"<>\\^`{|}')
# What browsers strip around an href, and remove inside it (WHATWG URL).
_STRIP = "".join(chr(c) for c in range(0, 0x21))


def _pct(component):
    b = component.encode("utf-8", "surrogateescape")
    out = []
    i, n = 0, len(b)
    while i < n:
        c = b[i]
        if c == 0x25 and i + 2 < n and b[i + 1] in _HEX and b[i + 2] in _HEX:
            v = int(b[i + 1:i + 3], 16)
            out.append(chr(v) if v in _UNRESERVED else "%" + b[i + 1:i + 3].decode().upper())
            i += 3
        elif c in _ENCODE or c == 0x25:
            out.append("%%%02X" % c)
            i += 1
        else:
            out.append(chr(c))
            i += 1
    return "".join(out)


def _remove_dot_segments(path):
    out = []
    segments = path.split("/")
    for k, seg in enumerate(segments):
        last = k == len(segments) - 1
        if seg == ".":
            if last:
                out.append("")
        elif seg == "..":
            if len(out) > 1:
                out.pop()
            if last:
                out.append("")
        else:
            out.append(seg)
    result = "/".join(out)
    return result if result.startswith("/") else "/" + result


def canonical(url):
    """The canonical form of an absolute http(s) URL; ValueError otherwise."""
    url = url.strip(_STRIP).replace("\t", "").replace("\n", "").replace("\r", "")
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"not an absolute http(s) URL: {url!r}")
    port = parts.port  # ValueError on a bad port
    host = parts.hostname.lower()
    if ":" in host:
        host = f"[{host}]"
    netloc = host if port is None or (scheme, port) in (("http", 80), ("https", 443)) \
        else f"{host}:{port}"
    path = _remove_dot_segments(_pct(parts.path)) if parts.path else "/"
    query = "?" + _pct(parts.query) if parts.query or url.split("#", 1)[0].endswith("?") else ""
    return f"{scheme}://{netloc}{path}{query}"


def resolve(base, href):
    """urljoin, then canonical(); ValueError for non-http(s) results."""
    return canonical(urljoin(base, href.strip(_STRIP)))


def origin(canonical_url):
    """"scheme://host[:port]" of a canonical URL."""
    scheme, rest = canonical_url.split("://", 1)
    return scheme + "://" + rest.split("/", 1)[0]
