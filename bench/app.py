"""Cold start of the real kiosk under Xvfb, and its peak memory with the catalogue open.

The X server is started first and left running, so what is timed is the application only: from
spawning `kiosk --data-dir D` to the line "kiosk: home screen shown: …" the app writes when its
first frame is up (kiosk/ui/app.py writes it on stderr, half a second after the home screen is
built — that fixed half second is inside every figure here). The page cache is warm (the data
directory was just written), as on a kiosk that restarts; a first boot reads from disk as well.

`search_memory` starts the kiosk once more with its UI driver socket (`kiosk.ui.driver`, the
interface the UI tests use), taps the home screen's search entry and types a query on the X
keyboard (xdotool), as a citizen would, and reads the peak memory once results are on screen.

`profile_cold_start` runs the same start-up in-process under cProfile, stopping the app as soon
as the line is written, for the report's evidence.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

BIN = Path(sys.executable).parent
ROOT = Path(__file__).resolve().parents[1]
READY = "kiosk: home screen shown"
CONFIG = '[venue]\nname = "基准测试查阅点"\n'


@contextmanager
def xvfb(size: str = "1280x800x24"):
    """A private X display; yields the environment that points at it."""
    read, write = os.pipe()
    proc = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write), "-screen", "0", size, "-nolisten", "tcp"],
        pass_fds=(write,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write)
    with os.fdopen(read) as f:
        number = f.readline().strip()
    if not number:
        proc.kill()
        raise RuntimeError("Xvfb did not report a display number")
    try:
        yield dict(os.environ, DISPLAY=f":{number}", KCFG_KIVY_LOG_LEVEL="warning")
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def write_config(work: Path) -> Path:
    path = work / "kiosk-bench.toml"
    path.write_text(CONFIG, "utf-8")
    return path


def _vm(pid: int) -> dict[str, int]:
    out = {}
    with open(f"/proc/{pid}/status", encoding="ascii") as f:
        for line in f:
            key, _, value = line.partition(":")
            if key in ("VmHWM", "VmRSS"):
                out[key] = int(value.split()[0])
    return out


def cold_start(data_dir: Path, config: Path, env: dict[str, str], timeout: float = 120.0) -> dict:
    """Spawn the kiosk, time it to its home screen, read its memory, stop it (SIGTERM)."""
    lines: list[str] = []
    ready = threading.Event()
    started = time.perf_counter()
    proc = subprocess.Popen([str(BIN / "kiosk"), "--data-dir", str(data_dir), "--config", str(config)],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    at: list[float] = []

    def reader() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.append(line.rstrip())
            if READY in line and not ready.is_set():
                at.append(time.perf_counter())
                ready.set()

    thread = threading.Thread(target=reader, daemon=True)
    thread.start()
    try:
        if not ready.wait(timeout):
            raise RuntimeError("the kiosk did not show its home screen within "
                               f"{timeout:.0f} s: {' | '.join(lines[-5:])}")
        seconds = at[0] - started
        time.sleep(1.0)  # let the first frames settle before reading the peak
        memory = _vm(proc.pid)
    finally:
        _stop(proc)
        thread.join(timeout=5)
    return {"seconds": seconds, **memory, "line": next((x for x in lines if READY in x), "")}


def _ask(sock: str, request: dict):
    with socket.socket(socket.AF_UNIX) as s:
        s.settimeout(30)
        s.connect(sock)
        f = s.makefile("rw", encoding="utf-8")
        f.write(json.dumps(request) + "\n")
        f.flush()
        return json.loads(f.readline())


def _until(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            result = condition()
        except (OSError, ValueError, KeyError, TypeError, StopIteration):
            result = None
        if result:
            return result
        time.sleep(0.2)
    raise RuntimeError(f"timed out waiting for {what}")


def warm_kiosk_caches(data: Path) -> None:
    """Build what a kiosk keeps under its data dir's `cache` between starts, as deployment does."""
    from index import Catalogue
    from kiosk.ime.vocabulary import CatalogueVocabulary

    subprocess.run([sys.executable, "-m", "kiosk.ime", "--cache-dir", str(data / "cache"), "build"],
                   cwd=ROOT, check=True, capture_output=True)
    with Catalogue(data, prepare=False) as catalogue:
        CatalogueVocabulary(catalogue, data / "cache").entries()


CHINESE_SEARCH = ("zhengfu", "政府")
"""Letters typed on the on-screen keyboard, and the word then chosen in its candidate bar."""


def search_memory(data_dir: Path, config: Path, env: dict[str, str], query: str,
                  work: Path, timeout: float = 300.0) -> dict:
    """Peak memory of the kiosk after one search typed into its search screen."""
    if not shutil.which("xdotool"):
        raise RuntimeError("xdotool is not installed")
    sock = str(work / "ui-driver.sock")
    Path(sock).unlink(missing_ok=True)
    env = dict(env, KIOSK_UI_DRIVER=sock)
    log = open(work / "kiosk-search.log", "w", encoding="utf-8")  # noqa: SIM115 - closed below
    proc = subprocess.Popen([str(BIN / "kiosk"), "--data-dir", str(data_dir), "--config", str(config)],
                            env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        def widgets() -> list[dict]:
            if proc.poll() is not None:
                raise RuntimeError(f"the kiosk exited: {(work / 'kiosk-search.log').read_text()[-2000:]}")
            found = _ask(sock, {"op": "widgets"})
            return found if isinstance(found, list) else []

        def tap(rect: list[int]) -> None:
            x, y, w, h = rect
            subprocess.run(["xdotool", "mousemove", str(x + w // 2), str(y + h // 2), "click", "1"],
                           env=env, check=True)

        entry = _until(lambda: next(w for w in widgets() if w["id"] == "search"), timeout,
                       "the home screen's search entry")
        home_hwm = _vm(proc.pid)["VmHWM"]
        tap(entry["rect"])
        _until(lambda: _ask(sock, {"op": "screen"})["screen"] == "search", 60, "the search screen")
        started = time.perf_counter()
        subprocess.run(["xdotool", "type", "--delay", "40", query], env=env, check=True)
        _until(lambda: any("找到" in w["text"] for w in widgets()), timeout, "results")
        seconds = time.perf_counter() - started
        time.sleep(1.0)
        found = {"query": query, "home_VmHWM": home_hwm, "typed_to_results_s": seconds,
                 **_vm(proc.pid)}
        # then a word in characters, as most citizens search: pinyin on the on-screen keyboard and
        # the word chosen in its candidate bar (a query in characters loads jieba's dictionary)
        letters, word = CHINESE_SEARCH
        try:
            tap(next(w for w in widgets() if w["id"] == "clear")["rect"])
            tap(next(w for w in widgets() if w["id"] == "box")["rect"])
            _until(lambda: any(w["type"] == "Key" for w in widgets()), 30, "the on-screen keyboard")
            for ch in letters:
                tap(next(w for w in widgets() if w["type"] == "Key" and w["text"] == ch)["rect"])
                time.sleep(0.1)
            tap(_until(lambda: next((w for w in widgets() if w["text"] == word), None), 60,
                       f"{word} in the candidate bar")["rect"])
            _until(lambda: any(w["id"] == "box" and w["text"] == word for w in widgets())
                   and any("找到" in w["text"] for w in widgets()), timeout, f"results for {word}")
            time.sleep(3.0)  # jieba's dictionary loads on the search's thread
        except (RuntimeError, StopIteration) as exc:
            found["chinese_error"] = str(exc)
        else:
            found["chinese"] = {"query": word, **_vm(proc.pid)}
        return found
    finally:
        _stop(proc)
        log.close()


def profile_cold_start(data_dir: Path, config: Path, env: dict[str, str]) -> dict:
    """cProfile of start-up to the home screen, in a child process (JSON on its stdout)."""
    code = (
        "import json, sys\n"
        "from bench.app import _profile_child\n"
        f"json.dump(_profile_child({str(data_dir)!r}, {str(config)!r}), sys.stdout)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                          timeout=300, check=False, cwd=Path(__file__).resolve().parent.parent)
    last = proc.stdout.strip().splitlines()[-1:] or ["{}"]
    try:
        return json.loads(last[0])
    except ValueError:
        return {"error": proc.stderr[-2000:]}


def _profile_child(data_dir: str, config: str) -> dict:
    import cProfile

    from .profiling import summarise

    profile = cProfile.Profile()
    started = time.perf_counter()
    took: list[float] = []

    def stop_after_announce() -> None:
        import kiosk.ui.app as ui_app

        original = ui_app._announce

        def announce(model: dict) -> None:
            took.append(time.perf_counter() - started)
            profile.disable()
            original(model)
            from kivy.app import App

            App.get_running_app().stop()

        ui_app._announce = announce

    sys.stdout = sys.stderr  # keep stdout for the JSON answer
    try:
        profile.enable()
        import kiosk.app as kiosk_app  # the imports are part of a cold start

        stop_after_announce()
        kiosk_app.main(["--data-dir", data_dir, "--config", config])
    finally:
        profile.disable()
        sys.stdout = sys.__stdout__
    summary = summarise(profile, top=15)
    summary["seconds_to_home"] = took[0] if took else None
    return summary


def _stop(proc: subprocess.Popen) -> None:
    """Stop the kiosk as the system would (SIGTERM), and for good if it does not go."""
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
