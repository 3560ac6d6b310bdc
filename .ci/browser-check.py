#!/usr/bin/env python3
"""Load every page of a `hnp-events docs` site in headless Chromium, from file://.

Drives one Chromium over the DevTools protocol on a pipe (--remote-debugging-pipe:
NUL-terminated JSON on file descriptors 3 and 4; Python stdlib only, no network).
For every page: console errors, uncaught exceptions and failed loads are errors; every
link must lead to a page of the site (and a #fragment to an element with that id);
screenshots at 1280 and 390 px width go to SHOTS (when given). The overview must show,
in the rendered DOM, the eight gate metrics (with a pass/fail status) and the flow
diagram (an SVG with boxes, laid out with a non-zero size); its optional filter box,
when present, must narrow the lists to a typed name and restore them when cleared.

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
        "pages": len(seen),
        "links": links,
        "screenshots": len(list(shots.glob("*.png"))) if shots else 0,
        "metrics": metrics,
        "flow": flow,
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
