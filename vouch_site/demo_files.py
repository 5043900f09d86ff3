"""The demo network's own files (path -> SHA-256 of their bytes, line endings as LF): what ``invoke init`` may delete.

A file is the demo's only if both its path and its content match, so an organiser's edited
copy of a demo profile is theirs and is kept. Regenerate after changing the demo:
``python -m vouch_site.demo_files`` (a test says when it is out of date).
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

KEPT = ("partners/_categories.yaml", "partners/_checks.yaml")  # a start for the organiser's own registries
DEMO_FILES: dict[str, str] = {
    "content/articles/choosing-an-accountant-for-a-small-business.md": "af9985d2fbe6c74e799a27105d375f9157cedd8abf7501d8e1b09483edec6ba4",
    "content/articles/coastal-home-maintenance-checklist.md": "89d73f12a5549cb2c8687fa435abd7a2f373c32c8cb2289cc2801568cb6ff844",
    "content/articles/how-to-brief-a-tradesperson.md": "5a39510cb429924d165cc945b5a8a602ee2e75b032f993301e419556f4451853",
    "content/articles/how-to-read-a-quote.md": "7f1e764d793701b0771599db0601d09058c18894219ff4755ac934d99b63b059",
    "content/articles/what-insurance-to-ask-a-contractor-for.md": "5a7b73830e0de129b7fc30c5cfd5d0dc6464ce94b963d2cc8712f33060dcd99e",
    "content/images/avon-valley-accountants.svg": "10bcc9824451d6e727b84efd302f572efa456081d832fd154d6a5d103c0160f5",
    "content/images/dart-valley-builders.svg": "b039308372aae82b200cacabcb3672f20e3670ed4c7f805e0caf3c55d357104b",
    "content/images/estuary-electrical.svg": "051ee5c37d2944cc935f8b03ce01523480765b64e5dac48a90b7c97990e4fe62",
    "content/images/harbour-plumbing.svg": "e659df84d2f577a9943da59ee842e9b86f9bffebbc16c72638bcec4fceb21089",
    "content/images/salcombe-garden-care.svg": "75246ad891f369843875c19545904140cbf80906a9bf60456a8a730f6144e666",
    "content/newsletter/december-2026.md": "2212e95d76104b022166280f332ae20eccc2b8a5460a5248db1a30a5f35e740c",
    "content/newsletter/november-2026.md": "7f496c93d7042b5311cd675ee9bc19e387ee2d2fc1de49892704580b35528b2e",
    "content/newsletter/october-2026.md": "909eac0a6bfe77bae2fec2c689c5042ca38363b01d703f9bf2cdfc217c2c2a1d",
    "content/newsletter/welcome/01-welcome.md": "fd62197c787aea4da9299c69a1cbfd60ed12c6f8aad096e93c633bd9f361bd80",
    "content/newsletter/welcome/02-how-we-vet.md": "51982d8b8a3ccd00ff05331e7a1941b8f02d02a2032e531ef4e4374984057cdd",
    "content/newsletter/welcome/03-refer-a-friend.md": "98f6efb3c30cc6df623ecb1d5d5134a02d18e8ad871e2dca5b4a945f62120d20",
    "content/pages/about.md": "f5457e9ab34a0c47278e89193d1f08b3ac781b0f87591c16560226afeca73166",
    "partners/24-7-locksmiths-devon.yaml": "d198192acea45be230acfe9bc1eac7832941a0f9489b5a4a96671415f7fd9749",
    "partners/avon-valley-accountants.yaml": "45820c0077f0dd582dce94dc5b024d3fa213dd2f84c9da38cd7d6ac780a0f252",
    "partners/bolt-head-carpentry.yaml": "f899e47022e48c76c491cf765d247d157a3ae9515878245c2709c0da4f380dfa",
    "partners/crystal-clear-windows.yaml": "e81f21aa7235256dc27524728ffd2f542aadf98720ed78b85182e3ac7cdfc42a",
    "partners/dart-valley-builders.yaml": "12a624bb33327afa5d396d998fb9a4819334cd75c8e4e95ea2eceb5f5811a9cc",
    "partners/estuary-electrical.yaml": "f01a30eba7068e3fd5425028f0b430be32c12c827f1ac54765c9cd1bd046b4d3",
    "partners/fairweather-solicitors.yaml": "85c617b220f90ffcb76a2dfea6eb358ebd5acb201c1d702ee9de8325ec8b75ef",
    "partners/harbour-plumbing.yaml": "845f7d87e1f1527cd3ffe65e11731960f77f724112135fde4603d544fdd19b20",
    "partners/moorview-landscapes.yaml": "0749c869d47b2d2519dcc5a1f79b1e2ba595ae8f44c74a648bf6e9cf17f5119a",
    "partners/quayside-drainage.yaml": "8534f88968e1c32531046da9b93b30fa60c770aeb70d83a1ba65daa787e8dd88",
    "partners/salcombe-garden-care.yaml": "fdfb105ffdd0a8ac1033d9c0d706fd44331e5136b51c6c889a955d4ec6a45ada",
    "partners/start-bay-roofing.yaml": "b2c000572f02ea8110a7f39c6e8be78943017e2f592ec532c8447e8323c29da6",
    "partners/thurlestone-thatching.yaml": "27265772e1cb363436ba796a37032208bd10370d3c5f39fbdd921695583c3ae5",
    "partners/tidewater-cleaning.yaml": "be8533694e6f377647e5cfb06ec46c8fe89382e3b4f0c100fd54b4dbe3acbd53",
}


def file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes().replace(b"\r\n", b"\n")).hexdigest()


def current_demo(root: Path) -> dict[str, str]:
    """The demo files of the checkout in ``root`` (tracked by git under partners/ and content/)."""
    listed = subprocess.run(
        ["git", "ls-files", "partners", "content"], cwd=root, capture_output=True, text=True, check=True
    ).stdout.split()
    return {name: file_hash(root / name) for name in sorted(listed) if name not in KEPT}


def _rewrite(root: Path) -> None:
    here = Path(__file__)
    text = here.read_text(encoding="utf-8")
    head, _, rest = text.partition("DEMO_FILES: dict[str, str] = {")
    _, _, tail = rest.partition("}\n")
    body = "".join(f'    "{name}": "{digest}",\n' for name, digest in current_demo(root).items())
    here.write_text(f"{head}DEMO_FILES: dict[str, str] = {{\n{body}}}\n{tail}", encoding="utf-8")


if __name__ == "__main__":
    _rewrite(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent)
