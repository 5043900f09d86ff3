"""SVG files that are safe to publish: pictures, not programs.

In an ``<img>`` an SVG is inert, but a visitor who opens the file itself gets a
document of the site's origin, where scripts run and references load. An SVG
published from ``content/`` must therefore hold no script, event handler,
``foreignObject`` or HTML, no reference outside itself (a ``href`` other than a
``#fragment`` or a ``data:image/``, a CSS ``url()`` or ``@import``), no DTD or
entity, and no processing instruction (an XSLT stylesheet is one). We refuse
rather than clean: the editor's file stays as it is, and the message says what
to take out. The parser is defusedxml's expat: no entity is ever expanded.

What a web server serves as image/svg+xml is what runs, and it goes by the name:
so every file that goes out under an SVG name (a link's or its own, any case) is
checked, and so is one whose content is SVG, which a server without a type for its
name may still hand to a browser that sniffs.
"""

from __future__ import annotations

import gzip
import io
import re
import zlib
from xml.sax import SAXParseException
from xml.sax.handler import ContentHandler, feature_namespaces
from xml.sax.xmlreader import AttributesNSImpl, Locator

from defusedxml import DefusedXmlException
from defusedxml.expatreader import DefusedExpatParser

SVG_NS = "http://www.w3.org/2000/svg"
HTML_NS = "http://www.w3.org/1999/xhtml"
REFUSED_ELEMENTS = {"script", "foreignobject", "handler", "listener"}  # lower case: refused in any namespace
ANIMATIONS = {"set", "animate", "animatemotion", "animatetransform", "discard"}
_URL = re.compile(r"url\(\s*(['\"]?)(.*?)\1\s*\)", re.IGNORECASE | re.DOTALL)
_CSS_LOADERS = ("@import", "image-set(", "src(")  # CSS that loads a URL without url(...)
_URL_IGNORED = re.compile(r"[\x00-\x20\x7f]")  # browsers skip these inside a URL (java\tscript: is javascript:)
EXPECTED = "expected an SVG without script, event handlers, foreignObject, HTML or outside references"
SVG_NAMES = (".svg", ".svgz")
_PROLOG = re.compile(rb"(?:\s+|<\?xml\b.*?\?>|<!--.*?-->|<!DOCTYPE\b[^>]*>)*", re.DOTALL | re.IGNORECASE)
SNIFFED = 4096  # bytes read to tell an SVG by its content; an XML declaration makes it read on


def looks_like_svg(name: str, data: bytes) -> bool:
    """An SVG by its name (any case) or by its content: ``<svg`` after an optional BOM, whitespace,
    XML declaration, comments and DOCTYPE, or any XML document with an ``<svg`` element in it."""
    if name.lower().endswith(SVG_NAMES):
        return True
    text = _as_utf8(data)
    start = _PROLOG.match(text)
    if text[start.end() if start else 0 :][:4].lower() == b"<svg":
        return True
    return text.lstrip().startswith(b"<?xml") and b"<svg" in text.lower()


def _as_utf8(data: bytes) -> bytes:
    """The bytes without a UTF-8 BOM, or UTF-16 text as UTF-8 (what a browser would read)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace").encode()
    return data.removeprefix(b"\xef\xbb\xbf")


def published_svg_problems(data: bytes) -> list[str]:
    """``svg_problems`` of a file that goes out as an SVG; an .svgz is checked unpacked."""
    if data.startswith(b"\x1f\x8b"):
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError, zlib.error) as exc:
            return [f"a compressed SVG that cannot be unpacked ({exc})"]
    return svg_problems(data)


def summary(found: list[str], shown: int = 3) -> str:
    """The first few problems of a file, the rest counted: one line."""
    return ", ".join(found[:shown]) + (f" and {len(found) - shown} more" if len(found) > shown else "")


def svg_problems(data: bytes) -> list[str]:
    """What makes ``data`` unsafe to publish as an SVG, in document order; empty if nothing does."""
    handler = _Checker()
    parser = DefusedExpatParser(forbid_dtd=True)
    parser.setFeature(feature_namespaces, True)
    parser.setContentHandler(handler)
    try:
        parser.parse(io.BytesIO(data))
    except DefusedXmlException:
        return ["a DOCTYPE (DTDs and entities are not allowed)"]
    except SAXParseException as exc:
        return [f"not well-formed XML: {exc.getMessage()} on line {exc.getLineNumber()}"]
    return handler.problems


def _allowed_reference(url: str) -> bool:
    """A reference inside the file itself: a #fragment, or an image written out as data."""
    url = _URL_IGNORED.sub("", url).lower()
    return url.startswith(("#", "data:image/"))


def _url_problems(value: str) -> list[str]:
    """``url(...)`` to outside the file, in a style or in a presentation attribute such as ``fill``."""
    return [
        f"an outside reference url({m.group(2)})" for m in _URL.finditer(value) if not _allowed_reference(m.group(2))
    ]


def _css_problems(css: str) -> list[str]:
    lowered = css.lower()
    found = [f"{loader} in a style" for loader in _CSS_LOADERS if loader in lowered]
    if "\\" in css:  # an escape can spell url( or @import in a way no pattern sees
        found.append("a CSS escape (\\) in a style")
    return found + _url_problems(css)


class _Checker(ContentHandler):
    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []
        self.locator: Locator | None = None
        self.root_seen = False
        self.style: list[str] | None = None  # the text of the <style> element being read

    def setDocumentLocator(self, locator: Locator) -> None:
        self.locator = locator

    def _report(self, what: str) -> None:
        line = self.locator.getLineNumber() if self.locator else None
        self.problems.append(f"{what} on line {line}" if line else what)

    def processingInstruction(self, target: str, data: str) -> None:
        self._report(f"a processing instruction <?{target}?>")

    def startElementNS(self, name: tuple[str | None, str], qname: str | None, attrs: AttributesNSImpl) -> None:
        namespace, local = name
        if not self.root_seen and (namespace, local) != (SVG_NS, "svg"):
            self.problems.append(f"not an SVG: the root element is <{local}>")
        self.root_seen = True
        if local.lower() in REFUSED_ELEMENTS:
            self._report(f"a <{local}> element")
        elif namespace == HTML_NS:
            self._report(f"an HTML element <{local}>")
        for (_, attribute), value in attrs.items():
            self._check_attribute(local, attribute, value)
        if local == "style":
            self.style = []

    def _check_attribute(self, element: str, attribute: str, value: str) -> None:
        if attribute.lower().startswith("on"):
            self._report(f"an event handler {attribute}=")
        elif "javascript:" in _URL_IGNORED.sub("", value).lower():
            self._report(f"javascript: in {attribute}=")
        elif attribute == "href" and not _allowed_reference(value):
            self._report(f"an outside reference href={value!r}")
        elif element.lower() in ANIMATIONS and attribute == "attributeName" and value.strip() in {"href", "xlink:href"}:
            self._report("an animation of href")
        else:
            for problem in _css_problems(value) if attribute == "style" else _url_problems(value):
                self._report(problem)

    def characters(self, content: str) -> None:
        if self.style is not None:
            self.style.append(content)

    def endElementNS(self, name: tuple[str | None, str], qname: str | None) -> None:
        if self.style is not None and name[1] == "style":
            for problem in _css_problems("".join(self.style)):
                self._report(problem)
            self.style = None
