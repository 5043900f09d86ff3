"""Make the theme's raster images once (they are committed): the 1200x630 share image link previews show,
and a PNG favicon for browsers that do not use the SVG one.

Run from the project folder: python scripts/make_theme_images.py (needs Playwright and /usr/bin/chromium).
Only the theme's own files are used: no font or image from elsewhere.
"""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import sync_playwright

STATIC = Path(__file__).resolve().parent.parent / "theme" / "static"
MARK = (STATIC / "favicon.svg").read_text(encoding="utf-8")

SHARE = f"""<!doctype html><html><head><meta charset="utf-8"><style>
html, body {{ margin: 0; width: 1200px; height: 630px; }}
body {{ background: #0b5c4f; color: #fff; font-family: "Liberation Sans", Arial, sans-serif; display: flex;
  align-items: center; gap: 64px; padding: 0 96px; box-sizing: border-box; }}
.mark {{ flex: none; width: 260px; height: 260px; border-radius: 50%; background: #fff;
  display: grid; place-items: center; }}
.mark svg {{ width: 236px; height: 236px; }}
h1 {{ font-size: 76px; line-height: 1.05; margin: 0 0 28px; letter-spacing: -1px; }}
p {{ font-size: 38px; line-height: 1.3; margin: 0; color: #e8f3f0; }}
ul {{ list-style: none; padding: 0; margin: 36px 0 0; display: flex; gap: 18px; }}
li {{ font-size: 28px; font-weight: 700; background: #e8f3f0; color: #0b5c4f; border-radius: 999px;
  padding: 8px 24px; }}
</style></head><body>
<div class="mark">{MARK}</div>
<div><h1>Vetted and vouched for</h1><p>Local businesses our members have used, checked and personally recommend.</p>
<ul><li>Checked</li><li>Vouched for</li><li>Reviewed</li></ul></div>
</body></html>"""

ICON = f"""<!doctype html><html><head><style>html, body {{ margin: 0; background: transparent; }}
svg {{ display: block; width: 100vw; height: 100vh; }}</style></head><body>{MARK}</body></html>"""


def main() -> None:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"])
        for name, html, size, transparent in [
            ("share.png", SHARE, (1200, 630), False),
            ("favicon-32.png", ICON, (32, 32), True),
        ]:
            page = browser.new_page(viewport={"width": size[0], "height": size[1]})
            page.set_content(html)
            page.screenshot(path=str(STATIC / name), omit_background=transparent)
            page.close()
            print(f"wrote {STATIC / name}")
        browser.close()


if __name__ == "__main__":
    main()
