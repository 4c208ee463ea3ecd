#!/usr/bin/env python3
"""check_pages.py - load every page of a static site in headless chromium
and report what a reader would find broken.

    check_pages.py [--screenshots DIR] [--shoot PAGE]... [--slices N] FOLDER

For every .html file under FOLDER (each loaded from file://):
  - no console error, uncaught exception or failed request;
  - every stylesheet and every <img> loaded (naturalWidth above 0), every
    <object> shown with its file present;
  - no HTML comment shows as text (outside code);
  - every <details> opens when its <summary> is clicked (a real mouse
    click), and closes on a second click.
Then, once every page is loaded: every link resolves, to a file inside
FOLDER and, for #anchor, to an element with that id in the page it names;
a link that leaves FOLDER (the web, or a path outside it) is a problem too.

Each problem is printed as "PAGE: what is wrong"; the last line counts what
was checked. Exit status 0 when nothing is wrong, 1 when something is, 2 for
bad usage or a browser that would not start or answer.

--screenshots DIR with --shoot PAGE (a path under FOLDER, repeatable) saves
the first N viewports (1280x900, --slices, default 1) of each such page as
DIR/NAME-01.png ...

The browser is Debian's chromium (CHROMIUM overrides the command), driven
over the DevTools protocol on a pipe (--remote-debugging-pipe: it reads
NUL-terminated JSON commands on fd 3 and writes replies on fd 4).
"""

import argparse
import base64
import fcntl
import json
import os
import select
import shutil
import subprocess
import sys
import tempfile
import urllib.parse
from pathlib import Path

TIMEOUT = 60  # seconds to wait for one answer: a hang guard, not a measurement
WIDTH, HEIGHT = 1280, 900


class BrowserError(Exception):
    """The browser did not start, died, or did not answer."""


class Browser:
    """Headless chromium with one tab, spoken to over the DevTools pipe."""

    def __init__(self):
        command = os.environ.get("CHROMIUM", "chromium")
        if not shutil.which(command):
            raise BrowserError(f"{command} is not installed (apt-get install chromium)")
        self.profile = tempfile.mkdtemp(prefix="check-pages-")
        args = [command, "--headless", "--remote-debugging-pipe", "--disable-gpu",
                "--disable-dev-shm-usage", "--no-first-run", "--no-default-browser-check",
                "--hide-scrollbars", f"--user-data-dir={self.profile}",
                f"--window-size={WIDTH},{HEIGHT}", "about:blank"]
        if os.geteuid() == 0:
            args.insert(1, "--no-sandbox")  # chromium will not start as root without it
        commands_read, self.commands = os.pipe()
        self.replies, replies_write = os.pipe()
        # The child must find the two pipe ends at fds 3 and 4 exactly. Move
        # every end above 9 first, so that placing them cannot clobber one.
        commands_read, self.commands, self.replies, replies_write = (
            self._above_9(fd) for fd in (commands_read, self.commands, self.replies, replies_write))
        os.dup2(commands_read, 3)
        os.dup2(replies_write, 4)
        self.log = open(os.path.join(self.profile, "chromium.log"), "w+b")  # above 4 now
        try:
            self.process = subprocess.Popen(args, pass_fds=(3, 4), stdin=subprocess.DEVNULL,
                                            stdout=self.log, stderr=self.log)
        finally:
            for fd in (3, 4, commands_read, replies_write):
                os.close(fd)
        self.buffer = b""
        self.next_id = 0
        self.events = []
        self.session = None
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        self.session = self.call("Target.attachToTarget", targetId=target, flatten=True,
                                 session=False)["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.call(f"{domain}.enable")
        self.call("Emulation.setDeviceMetricsOverride", width=WIDTH, height=HEIGHT,
                  deviceScaleFactor=1, mobile=False)

    @staticmethod
    def _above_9(fd):
        moved = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10)
        os.close(fd)
        return moved

    def _read_message(self):
        while b"\0" not in self.buffer:
            ready, _, _ = select.select([self.replies], [], [], TIMEOUT)
            if not ready:
                raise BrowserError(f"no answer from chromium in {TIMEOUT} s")
            chunk = os.read(self.replies, 1 << 16)
            if not chunk:
                raise BrowserError("chromium closed the pipe: " + self.log_text())
            self.buffer += chunk
        message, self.buffer = self.buffer.split(b"\0", 1)
        return json.loads(message)

    def call(self, method, session=True, **params):
        """Send one command; keep the events that arrive before its answer."""
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params}
        if session and self.session:
            message["sessionId"] = self.session
        os.write(self.commands, json.dumps(message).encode() + b"\0")
        while True:
            reply = self._read_message()
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise BrowserError(f"{method}: {reply['error'].get('message')}")
                return reply.get("result", {})
            if "method" in reply:
                self.events.append(reply)

    def wait_for(self, method):
        """Wait for event `method`; every event until then is kept."""
        while True:
            for i, event in enumerate(self.events):
                if event["method"] == method:
                    del self.events[i]
                    return event
            self.events.append(self._read_message())

    def take_events(self):
        events, self.events = self.events, []
        return events

    def evaluate(self, expression):
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True,
                           awaitPromise=True)
        if "exceptionDetails" in result:
            raise BrowserError(f"the check script failed: {result['exceptionDetails']}")
        return result["result"].get("value")

    def click(self, x, y):
        for kind in ("mousePressed", "mouseReleased"):
            self.call("Input.dispatchMouseEvent", type=kind, x=x, y=y, button="left", clickCount=1)

    def log_text(self):
        self.log.seek(0)
        return self.log.read().decode(errors="replace")[-2000:]

    def close(self):
        try:
            self.call("Browser.close", session=False)
        except (BrowserError, OSError):
            pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        for fd in (self.commands, self.replies):
            os.close(fd)
        self.log.close()
        shutil.rmtree(self.profile, ignore_errors=True)


# What the page holds, gathered in the page itself.
INVENTORY = r"""
(() => {
  const shownComments = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (node.parentElement.closest('code, pre, script, style')) continue;
    const text = node.textContent;
    if (text.includes('<!--') || text.includes('-->')) shownComments.push(text.trim().slice(0, 80));
  }
  return {
    ids: [...document.querySelectorAll('[id]')].map(e => e.id)
      .concat([...document.querySelectorAll('a[name]')].map(e => e.name)),
    links: [...document.querySelectorAll('a[href], area[href]')].map(a => a.href),
    images: [...document.images].map(i => ({src: i.currentSrc || i.src, complete: i.complete,
                                            width: i.naturalWidth})),
    objects: [...document.querySelectorAll('object')].map(o => ({data: o.data,
                                            width: o.getBoundingClientRect().width})),
    stylesheets: [...document.querySelectorAll('link[rel~="stylesheet"]')]
      .filter(l => !l.sheet).map(l => l.href),
    details: document.querySelectorAll('details').length,
    shownComments,
  };
})()
"""

# Make details[i] clickable (its enclosing answers open, itself in view);
# where its summary is.
SUMMARY = r"""
((i) => {
  const d = document.querySelectorAll('details')[i];
  for (let p = d.parentElement && d.parentElement.closest('details'); p;
       p = p.parentElement && p.parentElement.closest('details')) p.open = true;
  const s = d.querySelector(':scope > summary');
  if (!s) return {open: d.open, summary: false};
  s.scrollIntoView({block: 'center'});
  const r = s.getBoundingClientRect();
  return {open: d.open, summary: true, x: r.left + Math.min(r.width / 2, 30), y: r.top + r.height / 2};
})(%d)
"""


class Checker:
    def __init__(self, folder):
        self.folder = folder.resolve()
        self.problems = []
        self.pages = {}  # path -> set of ids
        self.links = []  # (page, href)
        self.counts = {"pages": 0, "links": 0, "anchors": 0, "images": 0, "answers": 0}
        self.browser = None

    def problem(self, page, message):
        self.problems.append(f"{page}: {message}")

    def name(self, path):
        return str(path.relative_to(self.folder))

    def check_page(self, browser, path):
        page = self.name(path)
        browser.events.clear()
        url = path.as_uri()
        result = browser.call("Page.navigate", url=url)
        if result.get("errorText"):
            self.problem(page, f"did not load: {result['errorText']}")
            return
        # The load event of this page, not a late one of the page before.
        while True:
            browser.wait_for("Page.loadEventFired")
            if browser.evaluate("document.readyState === 'complete' && location.href") == url:
                break
        info = browser.evaluate(INVENTORY)
        self.counts["pages"] += 1
        self.pages[path] = set(info["ids"])
        self.links.extend((page, href) for href in info["links"])
        for image in info["images"]:
            self.counts["images"] += 1
            if not image["complete"] or image["width"] == 0:
                self.problem(page, f"image not loaded: {self.short(image['src'])}")
        for shown in info["objects"]:
            self.counts["images"] += 1
            target = self.local_path(shown["data"])
            if target is None or not target.is_file() or shown["width"] == 0:
                self.problem(page, f"object not loaded: {self.short(shown['data'])}")
        for sheet in info["stylesheets"]:
            self.problem(page, f"stylesheet not loaded: {self.short(sheet)}")
        for text in info["shownComments"]:
            self.problem(page, f"an HTML comment shows as text: {text}")
        for i in range(info["details"]):
            self.check_answer(browser, page, i)
        self.collect_events(page)

    def check_answer(self, browser, page, i):
        where = browser.evaluate(SUMMARY % i)
        label = f"folded answer {i + 1}"
        if not where["summary"]:
            self.problem(page, f"{label} has no <summary> to click")
            return
        if where["open"]:
            self.problem(page, f"{label} is open before it is clicked")
            return
        for expected in (True, False):
            browser.click(where["x"], where["y"])
            now = browser.evaluate(f"document.querySelectorAll('details')[{i}].open")
            if now is not expected:
                self.problem(page, f"{label} does not {'open' if expected else 'close'} on a click")
                return
        self.counts["answers"] += 1

    def collect_events(self, page):
        requests = {}
        for event in self.browser.take_events():
            method, params = event["method"], event.get("params", {})
            if method == "Network.requestWillBeSent":
                requests[params["requestId"]] = params["request"]["url"]
            elif method == "Network.loadingFailed":
                url = requests.get(params["requestId"], "?")
                self.problem(page, f"failed request: {self.short(url)} ({params.get('errorText')})")
            elif method == "Network.responseReceived" and params["response"].get("status", 200) >= 400:
                self.problem(page, f"failed request: {self.short(params['response']['url'])} "
                                   f"(status {params['response']['status']})")
            elif method == "Runtime.exceptionThrown":
                details = params["exceptionDetails"]
                text = details.get("exception", {}).get("description") or details.get("text")
                self.problem(page, f"uncaught exception: {text}")
            elif method == "Runtime.consoleAPICalled" and params["type"] in ("error", "assert"):
                text = " ".join(str(a.get("value", a.get("description", ""))) for a in params["args"])
                self.problem(page, f"console {params['type']}: {text}")
            elif method == "Log.entryAdded" and params["entry"]["level"] == "error":
                entry = params["entry"]
                if entry.get("source") == "network":
                    continue  # the failed request is reported above, with its address
                self.problem(page, f"console error: {entry.get('text')}")

    def local_path(self, url):
        parsed = urllib.parse.urlsplit(url)
        if parsed.scheme != "file":
            return None
        return Path(urllib.parse.unquote(parsed.path))

    def short(self, url):
        path = self.local_path(url)
        if path is not None:
            try:
                return self.name(path)
            except ValueError:
                return str(path)
        return url

    def check_links(self):
        for page, href in self.links:
            self.counts["links"] += 1
            parsed = urllib.parse.urlsplit(href)
            if parsed.scheme != "file":
                self.problem(page, f"link leaves the book: {href}")
                continue
            target = Path(urllib.parse.unquote(parsed.path))
            if target != self.folder and self.folder not in target.parents:
                self.problem(page, f"link leaves the book: {target}")
                continue
            if not target.exists():
                self.problem(page, f"broken link: {self.short(href)}")
                continue
            if target.is_dir():
                self.problem(page, f"link to a folder: {self.short(href)}")
                continue
            if not parsed.fragment:
                continue
            self.counts["anchors"] += 1
            anchor = urllib.parse.unquote(parsed.fragment)
            ids = self.pages.get(target)
            if ids is None:
                if target.suffix == ".html":
                    self.problem(page, f"broken link: #{anchor} in a page that was not loaded: {self.name(target)}")
                continue
            if anchor not in ids:
                self.problem(page, f"broken link: {self.name(target)}#{anchor} (no such id)")

    def run(self, browser, shoot, screenshots, slices):
        self.browser = browser
        pages = sorted(self.folder.rglob("*.html"))
        if not pages:
            self.problem(self.name(self.folder) or ".", "no .html page to check")
        for path in pages:
            self.check_page(browser, path)
            if self.name(path) in shoot:
                self.screenshot(browser, path, screenshots, slices)
        self.check_links()

    def screenshot(self, browser, path, screenshots, slices):
        screenshots.mkdir(parents=True, exist_ok=True)
        stem = self.name(path).replace("/", "_").removesuffix(".html")
        browser.evaluate("window.scrollTo(0, 0)")
        height = browser.evaluate("document.documentElement.scrollHeight")
        for i in range(slices):
            if i * HEIGHT >= height:
                break
            browser.evaluate(f"window.scrollTo(0, {i * HEIGHT})")
            shot = browser.call("Page.captureScreenshot", format="png")
            (screenshots / f"{stem}-{i + 1:02d}.png").write_bytes(base64.b64decode(shot["data"]))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--screenshots", type=Path, help="folder for the screenshots")
    parser.add_argument("--shoot", action="append", default=[], help="page to photograph")
    parser.add_argument("--slices", type=int, default=1, help="viewports per page photographed")
    args = parser.parse_args()
    if not args.folder.is_dir():
        parser.error(f"{args.folder}: not a folder")
    if args.shoot and not args.screenshots:
        parser.error("--shoot needs --screenshots DIR")
    checker = Checker(args.folder)
    try:
        browser = Browser()
    except (BrowserError, OSError) as error:
        print(f"check_pages: {error}", file=sys.stderr)
        return 2
    try:
        checker.run(browser, set(args.shoot), args.screenshots, args.slices)
    except BrowserError as error:
        print(f"check_pages: {error}", file=sys.stderr)
        return 2
    finally:
        browser.close()
    for line in checker.problems:
        print(line)
    c = checker.counts
    print(f"checked {c['pages']} pages: {c['links']} links ({c['anchors']} to an anchor), "
          f"{c['images']} images, {c['answers']} folded answers opened and closed; "
          f"{len(checker.problems)} problems")
    return 1 if checker.problems else 0


if __name__ == "__main__":
    sys.exit(main())
