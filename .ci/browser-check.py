#!/usr/bin/env python3
"""Load every page of a `hnp-events docs` site in headless Chromium, from file://.

Drives one Chromium over the DevTools protocol on a pipe (--remote-debugging-pipe:
NUL-terminated JSON on file descriptors 3 and 4; Python stdlib only, no network).
For every page: console errors, uncaught exceptions and failed loads are errors; every
link must lead to a page of the site (and a #fragment to an element with that id);
screenshots at 1280 and 390 px width go to SHOTS (when given). The overview must show,
in the rendered DOM, the eight gate metrics (with a pass/fail status) and the flow
diagram (an SVG with boxes, laid out with a non-zero size); its optional filter box,
when present, must narrow the lists to a typed name and restore them when cleared;
with JavaScript disabled the overview must show every list item and no filter box.

Accessibility, on every page: semantic structure (one <main>, a labelled <nav>, one
<h1>, no skipped heading level, every table with a caption and header cells); readable
in light and dark (`prefers-color-scheme` emulated both ways): every rendered text —
HTML and the diagrams' SVG text — has WCAG AA contrast against what it is drawn on
(4.5:1, 3:1 for large text); keyboard: the first Tab focuses a visible "skip to
content" link to #main, and (on the overview and one page of each kind) Tab visits every
focusable element in document order, each scrolled into view with a focus outline, and
no element has a positive tabindex. With SHOTS, dark-scheme screenshots at 1280 px too.

Usage: browser-check.py SITE [SHOTS]  (CHROMIUM overrides the browser's path)
Prints a JSON summary on stdout (a line and the errors on stderr); exit code 0 when all checks pass, 1 otherwise,
2 when the browser could not run.
"""

import base64
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

METRICS = [
    "event_flow_coverage",
    "cqrs_compliance",
    "schema_consistency",
    "saga_completeness",
    "error_handling_coverage",
    "delivery_declared",
    "ordering_declared",
    "idempotency_declared",
]
WIDTHS = [1280, 390]
TIMEOUT = 30.0


class Browser:
    def __init__(self, exe, profile):
        self.out_r, self.out_w = os.pipe()  # to the browser (its fd 3)
        self.in_r, self.in_w = os.pipe()  # from the browser (its fd 4)
        args = [
            exe,
            "--headless",
            "--remote-debugging-pipe",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--no-default-browser-check",
            "--disable-extensions",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--user-data-dir=" + profile,
            "about:blank",
        ]

        # High copies first, so that moving them to 3 and 4 cannot clobber each other;
        # dup2 clears close-on-exec, and nothing else is inherited (Python's own fds are
        # close-on-exec).
        hi_r = os.dup(self.out_r)
        hi_w = os.dup(self.in_w)

        def fds():
            os.dup2(hi_r, 3)
            os.dup2(hi_w, 4)

        self.proc = subprocess.Popen(
            args,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            preexec_fn=fds,
            close_fds=False,
        )
        os.close(hi_r)
        os.close(hi_w)
        os.close(self.out_r)
        os.close(self.in_w)
        self.buf = b""
        self.next_id = 0
        self.events = []

    def send(self, method, params=None, session=None):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self.out_w, json.dumps(msg).encode() + b"\0")
        want = self.next_id
        deadline = time.monotonic() + TIMEOUT
        while True:
            m = self.read(deadline)
            if m.get("id") == want:
                if "error" in m:
                    raise RuntimeError(f"{method}: {m['error']}")
                return m.get("result", {})
            self.events.append(m)

    def read(self, deadline):
        while b"\0" not in self.buf:
            if time.monotonic() > deadline:
                raise TimeoutError("no answer from the browser")
            chunk = os.read(self.in_r, 1 << 16)
            if not chunk:
                raise RuntimeError("the browser closed the pipe")
            self.buf += chunk
        raw, self.buf = self.buf.split(b"\0", 1)
        return json.loads(raw)

    def wait_event(self, method, session):
        deadline = time.monotonic() + TIMEOUT
        for i, m in enumerate(self.events):
            if m.get("method") == method and m.get("sessionId") == session:
                del self.events[i]
                return m
        while True:
            m = self.read(deadline)
            if m.get("method") == method and m.get("sessionId") == session:
                return m
            self.events.append(m)

    def close(self):
        try:
            self.send("Browser.close")
        except Exception:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


PAGE_JS = """(() => {
  const links = [...document.querySelectorAll('[href]')].map(a => a.href);
  const srcs = [...document.querySelectorAll('[src]')].map(e => e.src);
  const ids = [...document.querySelectorAll('[id]')].map(e => e.id);
  const out = {links, srcs, ids, title: document.title,
               main: !!document.querySelector('main'), lang: document.documentElement.lang};
  const rows = [...document.querySelectorAll('#gate-metrics tbody tr')];
  if (rows.length) {
    out.metrics = rows.map(r => {
      const box = r.getBoundingClientRect();
      return {name: r.querySelector('th code')?.textContent,
              status: r.lastElementChild.textContent.trim(),
              visible: box.width > 0 && box.height > 0};
    });
  }
  const svg = document.querySelector('#flow-diagram svg');
  if (svg) {
    const box = svg.getBoundingClientRect();
    out.flow = {width: box.width, height: box.height,
                nodes: svg.querySelectorAll('g.node').length,
                edges: svg.querySelectorAll('path.edge').length,
                legend: !!svg.querySelector('.legend')};
  }
  const input = document.getElementById('filter-input');
  if (input) {
    const items = [...document.querySelectorAll('#channels ~ ul li, #messages ~ ul li')];
    const query = items.length ? items[items.length - 1].textContent : '';
    input.value = query;
    input.dispatchEvent(new Event('input'));
    const shown = items.filter(li => li.offsetParent !== null).length;
    out.filter = {shown_box: !document.getElementById('filter').hidden, query, total: items.length, shown};
    input.value = '';
    input.dispatchEvent(new Event('input'));
    out.filter.after_clear = items.filter(li => li.offsetParent !== null).length;
  }
  return JSON.stringify(out);
})()"""


SEMANTIC_JS = """(() => {
  const problems = [];
  if (document.querySelectorAll('main').length !== 1) problems.push('not exactly one <main>');
  const navs = [...document.querySelectorAll('nav')];
  if (!navs.length || navs.some(n => !n.getAttribute('aria-label'))) problems.push('no <nav> with an aria-label');
  const hs = [...document.querySelectorAll('h1, h2, h3, h4, h5, h6')].map(h => +h.tagName[1]);
  if (hs.filter(l => l === 1).length !== 1) problems.push(`${hs.filter(l => l === 1).length} <h1>`);
  for (let i = 1; i < hs.length; i++) {
    if (hs[i] > hs[i - 1] + 1) { problems.push(`heading level skips from h${hs[i - 1]} to h${hs[i]}`); break; }
  }
  document.querySelectorAll('table').forEach((t, i) => {
    if (!t.querySelector('caption') && !t.getAttribute('aria-label')) problems.push(`table ${i + 1} has no caption`);
    if (!t.querySelector('th')) problems.push(`table ${i + 1} has no header cells`);
  });
  document.querySelectorAll('[tabindex]').forEach(e => {
    if (e.tabIndex > 0) problems.push(`positive tabindex on <${e.tagName.toLowerCase()}>`);
  });
  return JSON.stringify(problems);
})()"""

# WCAG 2 contrast of every rendered text against what it is drawn on.
CONTRAST_JS = """(() => {
  const parse = c => {
    const m = /rgba?\\(([^)]+)\\)/.exec(c || '');
    if (!m) return null;
    const p = m[1].split(/[\\s,\\/]+/).filter(Boolean).map(Number);
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
  };
  const over = (top, bottom) => {
    const a = top[3];
    return [0, 1, 2].map(i => top[i] * a + bottom[i] * (1 - a)).concat([1]);
  };
  const lum = c => {
    const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]);
  };
  const ratio = (a, b) => {
    const x = lum(a), y = lum(b);
    return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05);
  };
  // The canvas is dark only when the page opts in (`color-scheme: … dark`).
  const darkCanvas = matchMedia('(prefers-color-scheme: dark)').matches &&
    /dark/.test(getComputedStyle(document.documentElement).colorScheme);
  const canvas = darkCanvas ? [18, 18, 18, 1] : [255, 255, 255, 1];
  const htmlBg = el => {
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c && c[3] > 0) { layers.push(c); if (c[3] >= 1) break; }
    }
    let bg = canvas;
    for (let i = layers.length - 1; i >= 0; i--) bg = over(layers[i], bg);
    return bg;
  };
  const rectFill = r => {
    if (!r) return null;
    const cs = getComputedStyle(r);
    const c = parse(cs.fill);
    if (!c) return null;
    c[3] *= parseFloat(cs.fillOpacity || '1') * parseFloat(cs.opacity || '1');
    return c[3] > 0 ? c : null;
  };
  const svgBg = t => {
    const svg = t.ownerSVGElement;
    let bg = htmlBg(svg);
    const back = rectFill(svg.querySelector(':scope > rect.bg'));
    if (back) bg = over(back, bg);
    const own = t.parentElement !== svg ? rectFill(t.parentElement.querySelector(':scope > rect')) : null;
    return own ? over(own, bg) : bg;
  };
  let checked = 0, min = Infinity;
  const low = [];
  for (const el of document.querySelectorAll('body *')) {
    const tag = el.tagName.toLowerCase();
    if (['script', 'style', 'title', 'svg', 'defs', 'marker'].includes(tag)) continue;
    if (![...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim())) continue;
    if (!el.getClientRects().length) continue;
    const cs = getComputedStyle(el);
    if (cs.visibility !== 'visible' || parseFloat(cs.opacity) === 0) continue;
    const inSvg = el instanceof SVGElement;
    let fg = parse(inSvg ? cs.fill : cs.color);
    if (!fg) continue;
    const bg = inSvg ? svgBg(el) : htmlBg(el);
    fg = over(fg, bg);
    const r = ratio(fg, bg);
    const size = parseFloat(cs.fontSize), bold = parseInt(cs.fontWeight, 10) >= 700;
    const need = size >= 24 || (size >= 18.66 && bold) ? 3 : 4.5;
    checked++;
    min = Math.min(min, r);
    if (r < need && low.length < 5) {
      low.push(`<${tag}> "${el.textContent.trim().slice(0, 30)}" ${r.toFixed(2)}:1 (needs ${need}:1)`);
    }
  }
  return JSON.stringify({checked, min: checked ? Math.round(min * 100) / 100 : null, low});
})()"""

FOCUSABLES_JS = """(() => {
  const sel = 'a[href], button, input, select, textarea, summary, [tabindex]';
  const shown = e => e.getClientRects().length && getComputedStyle(e).visibility === 'visible';
  const own = e => e.matches(sel) && e.tabIndex >= 0 && !e.disabled && shown(e);
  // Chromium also focuses a scrolling box that has nothing focusable inside.
  const scroller = e => {
    const cs = getComputedStyle(e);
    const scrolls = (/(auto|scroll)/.test(cs.overflowX) && e.scrollWidth > e.clientWidth) ||
      (/(auto|scroll)/.test(cs.overflowY) && e.scrollHeight > e.clientHeight);
    return scrolls && shown(e) && ![...e.querySelectorAll(sel)].some(own);
  };
  window.__focusables = [...document.body.querySelectorAll('*')].filter(e => own(e) || scroller(e));
  return window.__focusables.length;
})()"""

FOCUSED_JS = """(() => {
  const a = document.activeElement;
  const cs = getComputedStyle(a);
  const r = a.getBoundingClientRect();
  return JSON.stringify({
    i: (window.__focusables || []).indexOf(a),
    what: `<${a.tagName.toLowerCase()}> ${(a.getAttribute('href') || a.id || a.textContent || '').trim().slice(0, 40)}`,
    href: a.getAttribute('href'),
    outline: cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) > 0,
    inview: r.width > 0 && r.height > 0 && r.right > 0 && r.bottom > 0 && r.left < innerWidth && r.top < innerHeight,
  });
})()"""


NOJS_JS = """(() => {
  const items = [...document.querySelectorAll('#channels ~ ul li, #messages ~ ul li')];
  const f = document.getElementById('filter');
  return JSON.stringify({filter_shown: !!f && f.getClientRects().length > 0, total: items.length,
                         shown: items.filter(li => li.offsetParent !== null).length});
})()"""


# Diagram labels as the browser lays them out: every text of a node box inside its box,
# and no two texts of the diagram (node labels, legend, title) overlapping.
LABELS_JS = """(() => {
  const out = {texts: 0, outside: [], overlaps: []};
  for (const svg of document.querySelectorAll('svg.hnp-graph')) {
    const boxes = [];
    for (const t of svg.querySelectorAll('text')) {
      const b = t.getBBox();
      if (!b.width) continue;
      const m = t.getCTM(), r = {x: b.x + m.e, y: b.y + m.f, w: b.width, h: b.height, s: t.textContent};
      boxes.push(r);
      out.texts++;
      const g = t.parentElement, rect = g.classList.contains('node') && g.querySelector(':scope > rect');
      if (rect) {
        const rb = rect.getBBox();
        if (b.x < rb.x - 0.5 || b.x + b.width > rb.x + rb.width + 0.5) {
          if (out.outside.length < 5) out.outside.push(`"${t.textContent}" ${b.width.toFixed(1)} wide in a ${rb.width.toFixed(1)} box`);
        }
      }
    }
    boxes.sort((a, b) => a.x - b.x);
    for (let i = 0; i < boxes.length; i++) {
      for (let j = i + 1; j < boxes.length && boxes[j].x < boxes[i].x + boxes[i].w; j++) {
        const a = boxes[i], c = boxes[j];
        if (a.y < c.y + c.h - 0.5 && c.y < a.y + a.h - 0.5 && c.x < a.x + a.w - 0.5 && out.overlaps.length < 5) {
          out.overlaps.push(`"${a.s}" and "${c.s}"`);
        }
      }
    }
  }
  return JSON.stringify(out);
})()"""


def evaluate(b, s, expr):
    r = b.send("Runtime.evaluate", {"expression": expr, "returnByValue": True}, session=s)
    if "exceptionDetails" in r:
        raise RuntimeError(f"script: {r['exceptionDetails'].get('text')} {r['exceptionDetails'].get('exception', {}).get('description', '')}")
    return json.loads(r["result"]["value"]) if isinstance(r["result"].get("value"), str) else r["result"].get("value")


def scheme(b, s, name):
    b.send(
        "Emulation.setEmulatedMedia",
        {"features": [{"name": "prefers-color-scheme", "value": name}]},
        session=s,
    )


def tab(b, s):
    for kind in ("keyDown", "keyUp"):
        b.send(
            "Input.dispatchKeyEvent",
            {"type": kind, "key": "Tab", "code": "Tab", "windowsVirtualKeyCode": 9},
            session=s,
        )


def keyboard(b, s, rel, walk, errors):
    """The first Tab reaches the skip link; with `walk`, Tab visits every focusable
    element in order. Returns the number of tab stops visited."""
    n = evaluate(b, s, FOCUSABLES_JS)
    tab(b, s)
    first = evaluate(b, s, FOCUSED_JS)
    if first["href"] != "#main" or not first["inview"] or not first["outline"]:
        errors.append(f"{rel}: the first Tab does not show a focused skip link to #main: {first}")
        return 1
    if not walk:
        return 1
    seen = 1
    for expected in range(1, n):
        tab(b, s)
        f = evaluate(b, s, FOCUSED_JS)
        seen += 1
        if f["i"] != expected:
            errors.append(f"{rel}: Tab stop {expected + 1} of {n} is {f['what']} (index {f['i']})")
            break
        if not f["inview"] or not f["outline"]:
            errors.append(f"{rel}: {f['what']} is focused but {'not scrolled into view' if not f['inview'] else 'has no focus outline'}")
            break
    return seen


def file_path(url):
    u = urllib.parse.urlsplit(url)
    return Path(urllib.parse.unquote(u.path)).resolve(), urllib.parse.unquote(u.fragment)


def main():
    if len(sys.argv) not in (2, 3):
        print(__doc__, file=sys.stderr)
        return 2
    site = Path(sys.argv[1]).resolve()
    shots = Path(sys.argv[2]).resolve() if len(sys.argv) == 3 else None
    pages = sorted(p.resolve() for p in site.rglob("*.html"))
    if not pages:
        print(f"{site}: no pages", file=sys.stderr)
        return 2
    if shots:
        shots.mkdir(parents=True, exist_ok=True)
    exe = os.environ.get("CHROMIUM", "chromium")
    errors = []
    seen = {}
    contrast = {"light": {"texts": 0, "min": None}, "dark": {"texts": 0, "min": None}}
    walked = set()
    stops = 0
    nojs = None
    labels = 0
    profile = tempfile.mkdtemp(prefix="hnp-browser-check-")
    try:
        b = Browser(exe, profile)
    except OSError as e:
        print(f"{exe}: {e}", file=sys.stderr)
        return 2
    started = time.monotonic()
    try:
        target = b.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        s = b.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for m in ("Page.enable", "Runtime.enable", "Log.enable"):
            b.send(m, session=s)
        b.send("Emulation.setFocusEmulationEnabled", {"enabled": True}, session=s)
        for page in pages:
            rel = page.relative_to(site).as_posix()
            for width in WIDTHS if shots else WIDTHS[:1]:
                b.send(
                    "Emulation.setDeviceMetricsOverride",
                    {"width": width, "height": 900, "deviceScaleFactor": 1, "mobile": width < 600},
                    session=s,
                )
                b.events = [e for e in b.events if e.get("sessionId") != s]
                nav = b.send("Page.navigate", {"url": page.as_uri()}, session=s)
                if nav.get("errorText"):
                    errors.append(f"{rel}: {nav['errorText']}")
                    continue
                b.wait_event("Page.loadEventFired", s)
                r = b.send(
                    "Runtime.evaluate",
                    {"expression": PAGE_JS, "returnByValue": True},
                    session=s,
                )
                info = json.loads(r["result"]["value"])
                if width == WIDTHS[0]:
                    lab = evaluate(b, s, LABELS_JS)
                    labels += lab["texts"]
                    for o in lab["outside"]:
                        errors.append(f"{rel}: diagram label overflows its box: {o}")
                    for o in lab["overlaps"]:
                        errors.append(f"{rel}: diagram labels overlap: {o}")
                    for problem in evaluate(b, s, SEMANTIC_JS):
                        errors.append(f"{rel}: {problem}")
                    for name in ("light", "dark"):
                        scheme(b, s, name)
                        c = evaluate(b, s, CONTRAST_JS)
                        contrast[name]["texts"] += c["checked"]
                        if c["min"] is not None:
                            contrast[name]["min"] = min(contrast[name]["min"] or 99, c["min"])
                        for low in c["low"]:
                            errors.append(f"{rel}: {name} scheme: low contrast {low}")
                        if shots and name == "dark":
                            shot = b.send(
                                "Page.captureScreenshot",
                                {"format": "png", "captureBeyondViewport": False},
                                session=s,
                            )
                            dark = rel.replace("/", "__").removesuffix(".html") + f"-{width}-dark.png"
                            (shots / dark).write_bytes(base64.b64decode(shot["data"]))
                    scheme(b, s, "light")
                    kind = rel.split("/")[0] if "/" in rel else rel
                    walk = kind not in walked
                    walked.add(kind)
                    stops += keyboard(b, s, rel, walk, errors)
                for e in b.events:
                    if e.get("sessionId") != s:
                        continue
                    meth, p = e.get("method"), e.get("params", {})
                    if meth == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
                        errors.append(f"{rel}: console.{p['type']}: {p.get('args')}")
                    elif meth == "Runtime.exceptionThrown":
                        errors.append(f"{rel}: exception: {p.get('exceptionDetails', {}).get('text')}")
                    elif meth == "Log.entryAdded" and p.get("entry", {}).get("level") == "error":
                        errors.append(f"{rel}: {p['entry'].get('text')} {p['entry'].get('url', '')}")
                if shots:
                    shot = b.send(
                        "Page.captureScreenshot",
                        {"format": "png", "captureBeyondViewport": False},
                        session=s,
                    )
                    name = rel.replace("/", "__").removesuffix(".html") + f"-{width}.png"
                    (shots / name).write_bytes(base64.b64decode(shot["data"]))
                seen[page] = info
        # Without JavaScript the site still works: the overview's filter box stays
        # hidden and every list is complete.
        index = (site / "index.html").resolve()
        if index in seen:
            b.send("Emulation.setScriptExecutionDisabled", {"value": True}, session=s)
            b.send("Page.navigate", {"url": index.as_uri()}, session=s)
            b.wait_event("Page.loadEventFired", s)
            nojs = evaluate(b, s, NOJS_JS)
            b.send("Emulation.setScriptExecutionDisabled", {"value": False}, session=s)
            if nojs["filter_shown"] or nojs["shown"] != nojs["total"]:
                errors.append(f"index.html without JavaScript: {nojs}")
    except (RuntimeError, TimeoutError, KeyError) as e:
        errors.append(f"browser: {e}")
    finally:
        b.close()
        subprocess.run(["rm", "-rf", profile], check=False)
    # Links: every one a file:// page of the site, fragments to existing ids.
    links = 0
    for page, info in seen.items():
        rel = page.relative_to(site).as_posix()
        if not info.get("main") or info.get("lang") != "en" or not info.get("title"):
            errors.append(f"{rel}: no <main>, lang or title")
        for url in info["links"] + info["srcs"]:
            links += 1
            if not url.startswith("file://"):
                errors.append(f"{rel}: link outside the site: {url}")
                continue
            path, frag = file_path(url)
            if path not in seen:
                errors.append(f"{rel}: broken link {url}")
            elif frag and frag not in seen[path]["ids"]:
                errors.append(f"{rel}: no element #{frag} for {url}")
    overview = seen.get((site / "index.html").resolve(), {})
    metrics = overview.get("metrics") or []
    names = [m["name"] for m in metrics]
    # projection_coverage is measured only when the run has projection files, as in validate.
    expected = METRICS + (["projection_coverage"] if (site / "projections").is_dir() else [])
    if names != expected:
        errors.append(f"index.html: gate metrics shown {names}, expected {expected}")
    for m in metrics:
        if m["status"] not in ("pass", "fail", "n/a") or not m["visible"]:
            errors.append(f"index.html: metric {m}")
    flow = overview.get("flow")
    if not flow or flow["width"] <= 0 or flow["height"] <= 0 or flow["nodes"] == 0 or not flow["legend"]:
        errors.append(f"index.html: flow diagram not shown: {flow}")
    filt = overview.get("filter")
    if filt and not (
        filt["shown_box"] and 1 <= filt["shown"] < filt["total"] and filt["after_clear"] == filt["total"]
    ):
        errors.append(f"index.html: the filter box does not filter: {filt}")
    summary = {
        "filter": filt,
        "without_js": nojs,
        "diagram_labels": labels,
        "pages": len(seen),
        "links": links,
        "screenshots": len(list(shots.glob("*.png"))) if shots else 0,
        "metrics": metrics,
        "flow": flow,
        "contrast": contrast,
        "keyboard": {"pages_walked": sorted(walked), "tab_stops": stops},
        "seconds": round(time.monotonic() - started, 2),
        "errors": errors,
    }
    print(json.dumps(summary, indent=1))
    print(
        f"{summary['pages']} pages, {links} links, {summary['screenshots']} screenshots,"
        f" {len(errors)} errors in {summary['seconds']} s",
        file=sys.stderr,
    )
    for e in errors:
        print(f"error: {e}", file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
