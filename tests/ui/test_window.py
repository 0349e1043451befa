"""Nothing done at the window ends the kiosk: Esc, Alt+F4 and a window manager's close request.

The kiosk runs on a bare X server (Xvfb here, often no window manager in a hall either). Keys are
sent with xdotool through XTEST, so they arrive as a real keyboard's do. A close request is what
a window manager sends when someone presses Alt+F4 or the × button: a WM_DELETE_WINDOW client
message. With no window manager to send it, the test sends that message itself through Xlib.
(`xdotool windowclose` is not a request: it destroys the window outright, as `kill` would end the
process; no citizen can do either from the touch screen.)
"""

from __future__ import annotations

import ctypes
import ctypes.util
import shutil
import subprocess
import time

from tests.ui.driver import Kiosk


class _ClientMessage(ctypes.Structure):
    _fields_ = [("type", ctypes.c_int), ("serial", ctypes.c_ulong), ("send_event", ctypes.c_int),
                ("display", ctypes.c_void_p), ("window", ctypes.c_ulong),
                ("message_type", ctypes.c_ulong), ("format", ctypes.c_int),
                ("data", ctypes.c_long * 5)]


class _XEvent(ctypes.Union):
    _fields_ = [("xclient", _ClientMessage), ("pad", ctypes.c_long * 24)]


CLIENT_MESSAGE = 33


def send_close_request(display: str, window: int) -> None:
    """Send `window` WM_PROTOCOLS/WM_DELETE_WINDOW, as a window manager does on Alt+F4 or ×."""
    x11 = ctypes.CDLL(ctypes.util.find_library("X11"))
    x11.XOpenDisplay.restype = ctypes.c_void_p
    x11.XOpenDisplay.argtypes = [ctypes.c_char_p]
    x11.XInternAtom.restype = ctypes.c_ulong
    x11.XInternAtom.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
    x11.XSendEvent.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.c_int, ctypes.c_long,
                               ctypes.POINTER(_XEvent)]
    x11.XFlush.argtypes = x11.XCloseDisplay.argtypes = [ctypes.c_void_p]
    dpy = x11.XOpenDisplay(display.encode())
    assert dpy, f"cannot open X display {display}"
    try:
        event = _XEvent()
        msg = event.xclient
        msg.type, msg.window, msg.format = CLIENT_MESSAGE, window, 32
        msg.message_type = x11.XInternAtom(dpy, b"WM_PROTOCOLS", 0)
        msg.data[0] = x11.XInternAtom(dpy, b"WM_DELETE_WINDOW", 0)
        msg.data[1] = 0  # CurrentTime
        assert x11.XSendEvent(dpy, window, 0, 0, ctypes.byref(event))
        x11.XFlush(dpy)
    finally:
        x11.XCloseDisplay(dpy)


def kiosk_window(kiosk: Kiosk) -> int:
    """The kiosk's top-level window: the one SDL marks with the kiosk's process id."""
    found = subprocess.run(["xdotool", "search", "--pid", str(kiosk.proc.pid)], env=kiosk.env,
                           capture_output=True, text=True, check=False).stdout.split()
    assert found, "no window with the kiosk's _NET_WM_PID"
    return int(found[0])


def still_serving(kiosk: Kiosk, screen: str) -> None:
    """Running, on the same screen, and answering: a moment for a late exit to show first."""
    time.sleep(1.5)
    assert kiosk.proc.poll() is None, kiosk.log.read_text()[-2000:]
    assert kiosk.screen() == screen


def test_escape_alt_f4_and_a_close_request_leave_the_kiosk_on_its_screen(display, sample_catalogue,
                                                                          tmp_path):
    data = tmp_path / "data"
    shutil.copytree(sample_catalogue.data_dir, data)
    kiosk = Kiosk(data, display, tmp_path)
    try:
        kiosk.tap(id="search")
        kiosk.wait(lambda: kiosk.screen() == "search", "the search screen")
        kiosk.type("zhengfu")
        kiosk.wait(lambda: kiosk.find(id="box")["text"], "the typed text")
        kiosk.wait(lambda: any(w["type"] == "Key" for w in kiosk.widgets()), "the keyboard")

        subprocess.run(["xdotool", "key", "Escape"], env=kiosk.env, check=True)
        # Esc arrived (the box let go of the focus, so the on-screen keyboard went away)…
        kiosk.wait(lambda: not any(w["type"] == "Key" for w in kiosk.widgets()), "Esc handled")
        still_serving(kiosk, "search")  # …and the kiosk stayed

        kiosk.tap(id="box")
        kiosk.wait(lambda: any(w["type"] == "Key" for w in kiosk.widgets()), "the keyboard")
        subprocess.run(["xdotool", "key", "alt+F4"], env=kiosk.env, check=True)
        still_serving(kiosk, "search")

        send_close_request(display["DISPLAY"], kiosk_window(kiosk))
        kiosk.wait(lambda: "window close request refused" in kiosk.log.read_text(),
                   "the close request to arrive")
        still_serving(kiosk, "search")
        kiosk.tap(id="box")  # and it still takes touches
        assert kiosk.find(id="box")
    finally:
        kiosk.stop()
