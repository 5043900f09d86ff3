"""SVG logos (issue 12, case 8): opened on its own, an SVG is a document that can run script.

An SVG logo is refused if it holds script, event handlers, foreignObject or HTML, a
reference outside itself, a DTD or entity, or a processing instruction. The browser
tests (tests/test_browser.py) show each such payload live in chromium.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.sitekit import REPO
from vouch.svg import svg_problems

SVG = '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 10 10">'


def svg(body: str, head: str = SVG) -> bytes:
    return f"{head}\n{body}\n</svg>\n".encode()


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        pytest.param(svg("<script>alert(1)</script>"), ["a <script> element on line 2"], id="script"),
        pytest.param(
            svg('<html:script xmlns:html="http://www.w3.org/1999/xhtml">alert(1)</html:script>'),
            ["a <script> element on line 2"],
            id="html-script",
        ),
        pytest.param(
            svg("", SVG.replace(">", ' onload="alert(1)">')),
            ["an event handler onload= on line 1"],
            id="onload",
        ),
        pytest.param(
            svg('<rect width="9" height="9" ONCLICK="alert(1)"/>'), ["an event handler ONCLICK= on line 2"], id="case"
        ),
        pytest.param(
            svg(
                '<foreignObject width="9" height="9">'
                '<iframe xmlns="http://www.w3.org/1999/xhtml" src="https://evil.example/"/></foreignObject>'
            ),
            ["a <foreignObject> element on line 2", "an HTML element <iframe> on line 2"],
            id="foreign-object",
        ),
        pytest.param(
            svg('<a href="javascript:alert(1)"><rect width="9" height="9"/></a>'),
            ["javascript: in href= on line 2"],
            id="javascript-link",
        ),
        pytest.param(
            svg('<a xlink:href="java&#x09;script:alert(1)"><rect width="9" height="9"/></a>'),
            ["javascript: in href= on line 2"],
            id="javascript-with-a-tab",
        ),
        pytest.param(
            svg('<image width="9" height="9" xlink:href="https://evil.example/track.png"/>'),
            ["an outside reference href='https://evil.example/track.png' on line 2"],
            id="image-from-outside",
        ),
        pytest.param(
            svg('<use href="other.svg#shape"/>'),
            ["an outside reference href='other.svg#shape' on line 2"],
            id="use-of-another-file",
        ),
        pytest.param(
            svg('<a href="https://harbour.example/"><rect width="9" height="9"/></a>'),
            ["an outside reference href='https://harbour.example/' on line 2"],
            id="link-out",
        ),
        pytest.param(
            svg('<rect width="9" height="9" style="fill: url(https://evil.example/p.svg#g)"/>'),
            ["an outside reference url(https://evil.example/p.svg#g) on line 2"],
            id="style-url",
        ),
        pytest.param(
            svg('<rect width="9" height="9" filter="url(\'https://evil.example/f.svg#f\')"/>'),
            ["an outside reference url(https://evil.example/f.svg#f) on line 2"],
            id="attribute-url",
        ),
        pytest.param(
            svg("<style>@import 'https://evil.example/x.css'; rect { fill: red }</style>"),
            ["@import in a style on line 2"],
            id="style-import",
        ),
        pytest.param(
            svg('<rect width="9" height="9" style="fill: \\75 rl(https://evil.example/p)"/>'),
            ["a CSS escape (\\) in a style on line 2"],
            id="css-escape",
        ),
        pytest.param(
            svg("<style>rect { fill: image-set('https://evil.example/x.png' 1x) }</style>"),
            ["image-set( in a style on line 2"],
            id="css-image-set",
        ),
        pytest.param(
            svg('<a><set attributeName="href" to="https://evil.example/"/><rect width="9" height="9"/></a>'),
            ["an animation of href on line 2"],
            id="animated-href",
        ),
        pytest.param(
            b'<?xml version="1.0"?>\n<!DOCTYPE svg [<!ENTITY js "alert(1)">]>\n' + svg("<text>&js;</text>"),
            ["a DOCTYPE (DTDs and entities are not allowed)"],
            id="doctype-entity",
        ),
        pytest.param(
            b'<?xml-stylesheet type="text/xsl" href="https://evil.example/x.xsl"?>\n' + svg(""),
            ["a processing instruction <?xml-stylesheet?> on line 1"],
            id="xslt",
        ),
        pytest.param(
            b'<html xmlns="http://www.w3.org/1999/xhtml"><body>hi</body></html>',
            [
                "not an SVG: the root element is <html>",
                "an HTML element <html> on line 1",
                "an HTML element <body> on line 1",
            ],
            id="html-named-svg",
        ),
        pytest.param(svg("<rect>"), ["not well-formed XML: mismatched tag on line 3"], id="malformed"),
    ],
)
def test_a_hostile_svg_is_refused_with_what_and_where(data: bytes, expected: list[str]) -> None:
    assert svg_problems(data) == expected


CLEAN = svg(
    """<defs>
  <linearGradient id="g"><stop offset="0" stop-color="#0b4f6c"/></linearGradient>
  <path id="wave" d="M0 5 q2 -2 4 0"/>
</defs>
<style>.a { fill: url(#g); stroke: url( "#g" ) }</style>
<metadata><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/></metadata>
<!-- drawn in Inkscape -->
<rect class="a" width="9" height="9" style="fill: url(#g)" filter="url(#g)"/>
<use href="#wave"/><use xlink:href="#wave"/>
<a href="#wave"><text>HP &amp; co</text></a>
<image width="1" height="1" href="data:image/png;base64,iVBORw0KGgo="/>"""
)


@pytest.mark.parametrize("path", sorted((REPO / "content" / "images").glob("*.svg")), ids=lambda p: p.name)
def test_the_demo_logos_are_clean(path: Path) -> None:
    assert svg_problems(path.read_bytes()) == []


def test_gradients_fragments_data_images_styles_and_metadata_are_fine() -> None:
    assert svg_problems(b'<?xml version="1.0" encoding="UTF-8"?>\n' + CLEAN) == []
