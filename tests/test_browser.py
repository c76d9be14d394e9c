"""The rendering in a real browser: headless Chromium lays the page out, a script reads
the DOM and computed styles back, and a screenshot is kept.

Needs Debian's ``chromium`` (``apt-get install -y chromium``); skipped when it is absent.
Set ``ARQUOTE_TEST_ARTIFACTS=some/dir`` to keep the screenshot beyond pytest's tmp dir.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from arquote.display import render
from arquote.document import Document, NumericClaim, Quote, Span, Speaker
from test_render import span

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
BROWSER = next((path for path in map(shutil.which, BROWSERS) if path), None)

pytestmark = pytest.mark.skipif(
    BROWSER is None, reason="chromium is not installed (Debian: apt-get install -y chromium)"
)


TEXT = (
    "وقال المتحدث باسم الدفاع المدني خالد العمري إن «فرق الإنقاذ انتشلت 14 شخصا من تحت الأنقاض».\n\n"
    "وأضاف العمري أن نحو 300 متطوع يشاركون في البحث <img src=x onerror=\"window.pwned=1\">."
)


def sample() -> Document:
    t = TEXT
    again = t.index("العمري أن")
    omari = Speaker("خالد العمري", (span(t, "خالد العمري", "SPEAKER"),
                                     Span.of(t, again, again + len("العمري"), "SPEAKER")))
    cue1, cue2 = span(t, "وقال", "CUE"), span(t, "وأضاف", "CUE")
    q1 = Quote(span(t, "فرق الإنقاذ انتشلت 14 شخصا من تحت الأنقاض", "QUOTE"), "direct", omari, cue1)
    q2 = Quote(Span.of(t, t.index("نحو 300"), len(t) - 1, "QUOTE"), "indirect", omari, cue2)
    claims = (
        NumericClaim(span(t, "14 شخصا", "NUM"), 14.0, "شخص", False, claimant=omari, quote=q1),
        NumericClaim(span(t, "نحو 300 متطوع", "NUM"), 300.0, "متطوع", True, claimant=omari, quote=q2),
    )
    return Document(t, (q1, q2), (omari,), claims, (cue1, cue2), id="browser")


CHECK = """
<script>
const out = {};
const text = document.querySelector('.aq-text');
out.textContent = text.textContent;
out.direction = getComputedStyle(document.querySelector('.aq-doc')).direction;
out.fontFamily = getComputedStyle(text).fontFamily;
out.quotes = [...text.querySelectorAll('.aq-quote')].map(q => {
  const r = q.getBoundingClientRect();
  return {speaker: q.dataset.speaker, background: getComputedStyle(q).backgroundColor,
          badge: getComputedStyle(q, '::before').content, width: r.width, height: r.height};
});
out.cues = [...text.querySelectorAll('.aq-cue')].map(
  c => getComputedStyle(c).textDecorationLine);
out.nums = [...text.querySelectorAll('.aq-num')].map(n => ({
  title: n.title, border: getComputedStyle(n).borderTopStyle,
  inQuote: n.parentElement.classList.contains('aq-quote')}));
// Right to left: the cue opens the line, so it sits to the right of the speaker after it.
const cue = text.querySelector('.aq-cue').getBoundingClientRect();
const who = text.querySelector('.aq-speaker').getBoundingClientRect();
out.cueRightOfSpeaker = cue.left > who.right - 1 && Math.abs(cue.top - who.top) < 5;
out.injected = document.querySelectorAll('.aq-text img').length;
out.pwned = window.pwned === 1;
out.legend = [...document.querySelectorAll('.aq-legend [data-speaker]')].map(k => k.textContent);
const pre = document.createElement('pre');
pre.id = 'aq-check';
pre.textContent = JSON.stringify(out);
document.body.appendChild(pre);
</script>
"""


def chromium(*args: str, profile: Path) -> subprocess.CompletedProcess:
    cmd = [BROWSER, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
           "--no-first-run", "--disable-extensions", f"--user-data-dir={profile}", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=90)


def page(body: str) -> str:
    return f'<!doctype html><html><head><meta charset="utf-8"></head><body style="margin:12px">{body}</body></html>'


def test_highlights_in_headless_chromium(tmp_path):
    doc = sample()
    html_file = tmp_path / "render.html"
    html_file.write_text(page(render(doc) + CHECK), encoding="utf-8")
    run = chromium("--virtual-time-budget=3000", "--window-size=1000,600", "--dump-dom",
                   html_file.as_uri(), profile=tmp_path / "profile")
    assert run.returncode == 0, run.stderr[-2000:]
    found = re.search(r'<pre id="aq-check">(.*?)</pre>', run.stdout, re.S)
    assert found, f"the check script did not run; DOM starts: {run.stdout[:500]!r}"
    import html as html_lib

    out = json.loads(html_lib.unescape(found.group(1)))

    assert out["textContent"] == TEXT
    assert out["direction"] == "rtl"
    assert "Noto Naskh Arabic" in out["fontFamily"]
    assert [q["speaker"] for q in out["quotes"]] == ["خالد العمري", "خالد العمري"]
    for quote in out["quotes"]:
        assert quote["background"] not in ("rgba(0, 0, 0, 0)", "transparent")
        assert quote["badge"] == '"خالد العمري"'  # the speaker is named on the highlight
        assert quote["width"] > 50 and quote["height"] > 10
    assert out["quotes"][0]["background"] == out["quotes"][1]["background"].replace("0.13", "0.24")
    assert out["cues"] == ["underline", "underline"]
    assert out["nums"] == [
        {"title": "14 شخص — خالد العمري", "border": "solid", "inQuote": True},
        {"title": "≈300 متطوع — خالد العمري", "border": "solid", "inQuote": True},
    ]
    assert out["cueRightOfSpeaker"] is True
    assert out["injected"] == 0 and out["pwned"] is False
    assert out["legend"] == ["خالد العمري (2)"]


def test_screenshot_is_written(tmp_path):
    html_file = tmp_path / "render.html"
    html_file.write_text(page(render(sample())), encoding="utf-8")
    shot = tmp_path / "render.png"
    run = chromium("--window-size=900,420", f"--screenshot={shot}", html_file.as_uri(),
                   profile=tmp_path / "profile")
    assert run.returncode == 0, run.stderr[-2000:]
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000  # a page, not a blank
    keep = os.environ.get("ARQUOTE_TEST_ARTIFACTS")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, Path(keep) / "render.png")
