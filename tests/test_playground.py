"""tinynet playground: the server's API over HTTP, and the page in a real browser."""

import json
import shutil
import sys
import threading
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tinynet.playground.server import Playground


@pytest.fixture
def server():
    srv = Playground(0)  # a free port on 127.0.0.1
    # shutdown() waits for the loop's next poll: 0.5 s by default, for every test
    thread = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.02},
                              daemon=True)
    thread.start()
    yield srv
    srv.shutdown()
    srv.server_close()


def call(srv, method, path, body=None, raw=None, host=None):
    data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
    request = urllib.request.Request(srv.url.rstrip("/") + path, data=data, method=method)
    if host:
        request.add_header("Host", host)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()


def test_training_progresses_and_the_page_is_served(server):
    status, page = call(server, "GET", "/")
    assert status == 200 and b"/app.js" in page
    for name in ("app.js", "draw.js", "network.js", "look.js"):  # every script the page loads
        status, script = call(server, "GET", f"/{name}")
        assert status == 200 and f'<script src="/{name}"></script>'.encode() in page
        assert b"use strict" in script
    status, body = call(server, "POST", "/api/sessions", {
        "dataset": "moons", "hidden": [8, 8], "optimizers": [
            {"name": "sgd", "lr": 0.1}, {"name": "rmsprop", "lr": 0.01}]})
    assert status == 201
    state = json.loads(body)
    assert state["steps"] == 0 and [p["name"] for p in state["panels"]] == ["SGD", "RMSProp"]
    assert all("network" in p for p in state["panels"])  # a new session draws its network
    key = state["id"]
    for _ in range(40):  # until RMSProp's test accuracy passes 0.9 (2000 steps at most)
        status, body = call(server, "POST", f"/api/sessions/{key}/step", {"n": 50})
        assert status == 200
        state = json.loads(body)
        if state["panels"][1]["test_accuracy"] > 0.9:
            break
    assert state["steps"] % 50 == 0 and state["steps"] > 0
    for panel in state["panels"]:
        train = panel["curves"]["train"]
        assert train[-1] < 0.6 * train[0]  # the loss fell
        assert len(panel["grid"]) == state["grid_size"] ** 2
    rms = state["panels"][1]
    assert rms["test_accuracy"] > 0.9
    first = rms["layers"][0]
    assert first["state_name"] == "s_dW[1]" and sum(first["eff_lr"]["counts"]) == 16
    assert rms["layers"][0]["update_ratio"] > 0
    status, body = call(server, "GET", f"/api/sessions/{key}/look")
    passes = json.loads(body)
    assert status == 200
    assert set(passes[0]["layers"][0]) == {"l", "Z", "A", "dA", "dZ", "dW", "db", "update",
                                           "rows"}
    status, body = call(server, "POST", f"/api/sessions/{key}/step", {"n": 1, "network": True})
    assert [len(c["neurons"]) for c in json.loads(body)["panels"][0]["network"]["columns"]] == [
        2, 8, 8, 2]
    status, body = call(server, "POST", f"/api/sessions/{key}/step", {"n": 1})
    assert "network" not in json.loads(body)["panels"][0]


def test_a_diverged_run_answers_in_json_with_null_for_its_nan(server):
    status, body = call(server, "POST", "/api/sessions", {
        "activation": "identity", "optimizers": [{"name": "sgd", "lr": 100}]})
    key = json.loads(body)["id"]
    status, body = call(server, "POST", f"/api/sessions/{key}/step", {"n": 30})

    def refuse(name):
        raise AssertionError(f"{name} is not JSON")

    state = json.loads(body, parse_constant=refuse)  # what a browser's JSON.parse accepts
    panel = state["panels"][0]
    assert status == 200 and panel["diverged"] is not None and panel["train_loss"] is None
    assert panel["signals"][0].startswith(f"diverged at step {panel['diverged']}: ")


@pytest.mark.parametrize("steps", [0, 7])
def test_look_at_one_step_shows_the_update_about_to_be_made_even_at_step_0(server, steps):
    import numpy as np

    from tinynet import optimizers

    names = optimizers.available()  # every registered optimizer, at step 0 and later
    status, body = call(server, "POST", "/api/sessions", {
        "optimizers": [{"name": n} for n in names[:4]]})
    assert status == 201
    key = json.loads(body)["id"]
    if steps:
        assert call(server, "POST", f"/api/sessions/{key}/step", {"n": steps})[0] == 200
    session = server.sessions[key]
    before = [[d.W.copy() for d in tr.model.dense_layers] for tr in session.trainers]
    status, body = call(server, "GET", f"/api/sessions/{key}/look")
    assert status == 200, body
    passes = json.loads(body)
    assert [p["numbers"]["t"] for p in passes] == [steps + 1] * len(passes)  # the next step
    assert all(np.array_equal(d.W, w) for tr, ws in zip(session.trainers, before)
               for d, w in zip(tr.model.dense_layers, ws))  # looking changes nothing
    session.step(1)  # the real step makes exactly the update shown, on the batch shown
    for tr, ws, shown in zip(session.trainers, before, passes):
        for d, w, layer in zip(tr.model.dense_layers, ws, shown["layers"]):
            assert np.array_equal(d.W - w, np.array(layer["update"])), (tr.optimizer, d)
    for name in optimizers.available()[4:]:  # and the others, one session each
        status, body = call(server, "POST", "/api/sessions", {"optimizers": [{"name": name}]})
        status, body = call(server, "GET", f"/api/sessions/{json.loads(body)['id']}/look")
        assert status == 200 and json.loads(body)[0]["numbers"]["t"] == 1, (name, body)


def test_a_failure_while_looking_is_a_message_not_a_dropped_connection(server, monkeypatch):
    status, body = call(server, "POST", "/api/sessions", {})
    key = json.loads(body)["id"]

    def broken(self):
        raise KeyError(1)

    monkeypatch.setattr(type(server.sessions[key]), "look", broken)
    status, body = call(server, "GET", f"/api/sessions/{key}/look")
    assert status == 500 and json.loads(body)["error"] == "look failed: KeyError: 1"


@pytest.mark.parametrize("request_, status, message", [
    (("POST", "/api/sessions", {"optimizers": [{"name": "yogi"}]}), 400,
     "optimizer 1 (yogi): unknown optimizer 'yogi'"),
    (("POST", "/api/sessions", {"optimizers": [{"name": "sgd", "lr": 0}]}), 400,
     "optimizer 1 (sgd): lr must be > 0"),
    (("POST", "/api/sessions", {"hidden": [10**6]}), 400,
     "hidden: comma-separated widths from 1 to 64, e.g. 8,8"),
    (("POST", "/api/sessions", {"dataset": "mnist"}), 400, "dataset must be one of"),
    (("POST", "/api/sessions", {"points": 10**7}), 400, "points must be <= 2000"),
    (("POST", "/api/sessions", None, b"{not json"), 400, "not valid JSON"),
    (("POST", "/api/sessions", None, b"[1, 2]"), 400, "must be a JSON object"),
    (("POST", "/api/sessions", None, b"{}" + b" " * 70_000), 413, "at most"),
    (("POST", "/api/sessions/99/step", {"n": 1}), 404, "no session '99'"),
    (("GET", "/etc/passwd"), 404, "nothing at"),
])
def test_bad_requests_get_a_4xx_and_a_message(server, request_, status, message):
    method, path, *rest = request_
    body = rest[0] if rest else None
    raw = rest[1] if len(rest) > 1 else None
    got, payload = call(server, method, path, body, raw)
    assert got == status and message in json.loads(payload)["error"]


def test_only_localhost_may_drive_it(server):
    assert server.server_address[0] == "127.0.0.1"
    status, payload = call(server, "GET", "/", host="evil.example:80")
    assert status == 403 and "127.0.0.1 only" in json.loads(payload)["error"]


def headers_of(srv, method, path, body=None):
    request = urllib.request.Request(srv.url.rstrip("/") + path, method=method,
                                     data=None if body is None else json.dumps(body).encode())
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as err:
        return err.code, err.headers, err.read()


@pytest.mark.parametrize("path, kind", [("/", "text/html"), ("/app.js", "text/javascript"),
                                        ("/style.css", "text/css"),
                                        ("/api/optimizers", "application/json")])
def test_every_answer_says_its_type_and_length_and_is_never_cached(server, path, kind):
    status, headers, body = headers_of(server, "GET", path)
    assert status == 200 and headers["Content-Type"] == kind
    assert headers["Content-Length"] == str(len(body)) and headers["Cache-Control"] == "no-store"
    status, headers, body = headers_of(server, "POST", "/api/nothing", {})
    assert (status, headers["Content-Type"]) == (404, "application/json")
    assert json.loads(body) == {"error": "nothing at /api/nothing"}


def test_the_page_gets_every_optimizer_and_its_defaults_and_no_icon(server):
    from tinynet import optimizers

    status, body = call(server, "GET", "/api/optimizers")
    assert status == 200 and json.loads(body) == {
        name: json.loads(json.dumps(optimizers.lookup(name)().hyperparams()))
        for name in optimizers.available()}
    status, headers, body = headers_of(server, "GET", "/favicon.ico")
    assert (status, headers["Content-Type"], body) == (204, "image/x-icon", b"")


@pytest.mark.parametrize("host, allowed", [
    ("localhost:8000", True), ("127.0.0.1", True), ("127.0.0.1:9", True),
    ("evil.example:80", False), ("127.0.0.1:1:2", False), ("LOCALHOST.evil:1", False),
])
def test_only_requests_addressed_to_127_0_0_1_or_localhost_are_answered(server, host, allowed):
    for method in ("GET", "POST"):
        status, payload = call(server, method, "/api/optimizers" if method == "GET" else
                               "/api/sessions", {}, host=host)
        if allowed:
            assert status in (200, 201), payload
        else:
            assert status == 403 and json.loads(payload)["error"] == (
                f"the playground answers 127.0.0.1 only, not {host.rsplit(':', 1)[0]!r}")


def test_a_refused_request_does_nothing(server):
    status, _ = call(server, "POST", "/api/sessions", {}, host="evil.example")
    assert status == 403 and server.sessions == {}


def test_a_request_without_a_host_is_refused(server):
    import http.client

    connection = http.client.HTTPConnection("127.0.0.1", server.server_address[1], timeout=30)
    connection.putrequest("GET", "/", skip_host=True)
    connection.endheaders()
    response = connection.getresponse()
    assert response.status == 403
    assert json.loads(response.read())["error"] == "the playground answers 127.0.0.1 only, not ''"
    connection.close()


def test_request_bodies_up_to_the_limit_and_without_one(server):
    from tinynet.playground.server import MAX_BODY

    exactly = b"{}" + b" " * (MAX_BODY - 2)
    assert call(server, "POST", "/api/sessions", raw=exactly)[0] == 201
    status, payload = call(server, "POST", "/api/sessions", raw=exactly + b" ")
    assert status == 413 and json.loads(payload)["error"] == (
        f"a request body is at most {MAX_BODY} bytes")
    assert call(server, "POST", "/api/sessions", raw=b"")[0] == 201  # no body: the defaults
    import http.client

    connection = http.client.HTTPConnection("127.0.0.1", server.server_address[1], timeout=30)
    connection.putrequest("POST", "/api/sessions")  # no Content-Length at all
    connection.endheaders()
    response = connection.getresponse()
    assert response.status == 201 and json.loads(response.read())["steps"] == 0
    connection.close()
    status, payload = call(server, "POST", "/api/sessions", raw=b"{not json")
    assert json.loads(payload)["error"] == "the request body is not valid JSON"
    status, payload = call(server, "POST", "/api/sessions", raw=b"[1]")
    assert json.loads(payload)["error"] == "the request body must be a JSON object"


def test_sessions_are_numbered_and_step_once_unless_told(server):
    ids = [json.loads(call(server, "POST", "/api/sessions", {})[1])["id"] for _ in range(2)]
    assert ids == ["1", "2"]
    status, body = call(server, "POST", "/api/sessions/2/step", {})
    assert status == 200 and json.loads(body)["steps"] == 1
    assert json.loads(call(server, "POST", "/api/sessions/2/step", {"n": 3})[1])["steps"] == 4
    status, body = call(server, "GET", "/api/sessions/2/state")
    assert status == 200 and json.loads(body)["steps"] == 4 and "panels" in json.loads(body)
    status, body = call(server, "GET", "/api/sessions/2/look")
    assert status == 200 and isinstance(json.loads(body), list)
    for method, path in (("GET", "/api/sessions/2"), ("GET", "/api/sessions/2/steps"),
                         ("POST", "/api/sessions/2/look"), ("POST", "/api/other/2/step"),
                         ("GET", "/api/other/2/state")):
        status, body = call(server, method, path, {} if method == "POST" else None)
        assert status == 404 and json.loads(body)["error"] == f"nothing at {path}"


def test_settings_too_large_for_memory_are_a_message(server, monkeypatch):
    from tinynet.playground import server as server_module

    def no_memory(settings):
        raise MemoryError

    monkeypatch.setattr(server_module, "Session", no_memory)
    status, body = call(server, "POST", "/api/sessions", {})
    assert status == 400
    assert json.loads(body) == {"error": "not enough memory for these settings"}


def test_the_oldest_session_is_dropped_beyond_the_limit():
    from tinynet.playground.server import MAX_SESSIONS

    srv = Playground(0)
    try:
        keys = [srv.add(f"session {i}") for i in range(MAX_SESSIONS + 2)]
        assert keys == [str(i) for i in range(1, MAX_SESSIONS + 3)]
        assert list(srv.sessions) == keys[2:] and len(srv.sessions) == MAX_SESSIONS
        assert srv.sessions[keys[-1]] == f"session {MAX_SESSIONS + 1}"
    finally:
        srv.server_close()


def chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


WORDS = ["train accuracy", "test accuracy", "train loss", "test loss", "epoch", "step",
         "inputs", "layer 1", "outputs", "square: a neuron's output over the input plane",
         "line: a weight, width |w|, orange positive, blue negative", "Filled dots: training "
         "points; ringed dots: test points", "log10 η_eff of W[1]'s weights", "log10 |s_dW[1]|"]


@pytest.mark.slow
def test_the_page_in_a_real_browser(server, tmp_path, capsys):
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install -e '.[test]' "
                                   "installs playwright")
    browser_path = chromium()
    if browser_path is None:
        pytest.skip("needs a Chromium: apt-get install chromium (.ci/run installs it)")
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))
    from playground_screenshot import VIEWPORT, play_until

    errors = []
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=browser_path, args=["--no-sandbox"])
        page = browser.new_page(viewport=VIEWPORT)
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(server.url)  # the first click: look at one step, at step 0
        page.wait_for_selector("#acc-1")
        page.click("#look")
        page.wait_for_selector(".look-pass")
        first_look = page.inner_text("#look-output")
        hidden = page.evaluate("""() => [0, 1].map((k) => document.querySelectorAll(
            `#panel-${k} canvas.neuron.hidden`).length)""")
        start = page.evaluate("Number(document.body.dataset.steps)")
        play_until(page, server.url)  # the screenshot tool's steps: play to 0.9, pause
        page.wait_for_function("!playing && !busy")  # the last step after pausing is done
        speed = page.evaluate("window.stepsPerSecond")
        text = page.inner_text("body")
        drawn = page.evaluate("""() => [...document.querySelectorAll('.panel canvas')].map((c) => {
            const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
            let painted = 0;
            for (let i = 3; i < d.length; i += 4) if (d[i] > 0) painted++;
            return [c.closest('.panel').id + ' ' + c.className, painted / (c.width * c.height)];
        })""")
        page.click("#look")
        page.wait_for_function("(document.querySelector('.look-pass h4') || {}).textContent"
                               "=== 'step ' + (Number(document.body.dataset.steps) + 1) + "
                               "', the update SGD is about to make'")
        layout = page.evaluate("""() => ({
            scroll: document.documentElement.scrollWidth, width: window.innerWidth,
            right: Math.max(...[...document.querySelectorAll('.panel, .look-pass, #setup')]
                               .map((e) => e.getBoundingClientRect().right)),
            tops: [...document.querySelectorAll('.panel .regions')].map(
                (c) => c.getBoundingClientRect().top)})""")
        page.screenshot(path=str(tmp_path / "playground.png"), full_page=True)
        while_training = list(errors)  # a refused field below makes the browser log its 400
        page.fill("#hidden", "abc")  # a bad field: its message, naming it
        page.fill("#optimizers .opt:nth-child(2) .lr", "")
        assert "hidden changed: press reset to apply" in page.inner_text("#notice")
        page.click("#reset")
        page.wait_for_function("document.getElementById('error').textContent.length > 0")
        bad_hidden = page.inner_text("#error")
        page.fill("#hidden", "8,8")
        page.click("#reset")
        page.wait_for_function("!document.getElementById('error').textContent.startsWith("
                               "'hidden')")
        empty_lr = page.inner_text("#error")
        browser.close()
    with capsys.disabled():
        print(f"\nplayground: {speed:.0f} training steps per second per optimizer (2 "
              f"optimizers, network view on, moons, 8,8)")
    assert hidden == [16, 16]  # one neuron canvas per hidden unit (8 + 8), in each panel
    assert first_look.count("the update SGD is about to make") == 1 and "step 1," in first_look
    assert "Z[1] = A[0] W[1] + b[1]" in first_look and "RMSProp: the next mini-batch" in first_look
    kinds = {}
    for kind, share in drawn:
        kinds.setdefault(kind, []).append(share)
    for panel in ("panel-0", "panel-1"):
        assert min(kinds[f"{panel} regions"]) > 0.99  # the decision regions fill the canvas
        assert all(s > 0.02 for s in kinds[f"{panel} curves"])
        assert all(s > 0.9 for s in kinds[f"{panel} neuron hidden"])
        assert len(kinds[f"{panel} eff"]) == 3 and all(s > 0.02 for s in kinds[f"{panel} eff"])
    for word in WORDS:
        assert word in text, word
    assert layout["scroll"] <= layout["width"] and layout["right"] <= layout["width"]
    assert layout["tops"][0] == layout["tops"][1]  # the panels are aligned
    assert bad_hidden == "hidden: comma-separated widths from 1 to 64, e.g. 8,8"
    assert empty_lr == "optimizer 2 (rmsprop): lr is empty"
    assert while_training == [] and all("400 (Bad Request)" in e for e in errors)
    assert (tmp_path / "playground.png").stat().st_size > 10_000
    assert start == 0 and speed > 0


def test_the_command_serves_until_ctrl_c(tmp_path):
    import re
    import signal
    import subprocess
    import sys
    from pathlib import Path

    env = {**__import__("os").environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    # a shell that started this run in the background ignores Ctrl-C, and a child Python
    # would inherit that: give the server the default handling a terminal gives it
    proc = subprocess.Popen([sys.executable, "-m", "tinynet", "playground", "--port", "0",
                             "--no-browser"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=env,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        first = proc.stdout.readline()
        url = re.search(r"http://127\.0\.0\.1:\d+/", first).group(0)
        with urllib.request.urlopen(url + "api/optimizers", timeout=30) as response:
            assert "rmsprop" in json.loads(response.read())
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    finally:  # a failed check must not leave a server running
        proc.kill()
        proc.wait()
    assert proc.returncode == 0 and "playground stopped" in out and "Traceback" not in err
