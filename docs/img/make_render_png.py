"""Regenerates docs/img/render.png, the README's picture of arquote.display.render.

The article is written for this picture (no corpus text); the rule engine extracts it and
headless Chromium (Debian: ``apt-get install -y chromium``) takes the screenshot.

Usage::

    python docs/img/make_render_png.py [OUT.png]
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import arquote  # noqa: E402
from arquote.display import render  # noqa: E402

ARTICLE = (
    "أعلنت وزارة الصحة، الثلاثاء، ارتفاع عدد المصابين في الفيضانات إلى 213 شخصاً في ثلاث محافظات.\n\n"
    "وقال المتحدث باسم الوزارة الدكتور “سامر الخطيب” إن «فرق الإسعاف نقلت أكثر من 90 مصاباً إلى "
    "المستشفيات خلال الليل».\n\n"
    "وأضاف الخطيب أن الوزارة أرسلت نحو 40 طناً من الأدوية إلى المناطق المتضررة، مؤكداً أن "
    "«الوضع تحت السيطرة».\n\n"
    "من جهتها، قالت منظمة الهلال الأحمر إن متطوعيها وزعوا 5 آلاف سلة غذائية على العائلات النازحة."
)


def main(out: str = str(ROOT / "docs" / "img" / "render.png")) -> int:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        print("needs chromium: apt-get install -y chromium", file=sys.stderr)
        return 2
    doc = arquote.load("rules")(ARTICLE)
    with tempfile.TemporaryDirectory() as tmp:
        page = Path(tmp) / "render.html"
        page.write_text('<!doctype html><meta charset="utf-8"><body style="margin:10px;background:#fff">'
                        + render(doc) + "</body>", encoding="utf-8")
        subprocess.run(
            [browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
             f"--user-data-dir={tmp}/profile", "--window-size=860,440", f"--screenshot={out}",
             page.as_uri()],
            check=True, capture_output=True, timeout=90,
        )
    print(f"{out}: {Path(out).stat().st_size} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
