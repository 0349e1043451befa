"""The size of the X screen, read before Kivy creates its window.

A kiosk often runs on a bare X server with no window manager (and the tests run on Xvfb). There,
a request to go full screen is never answered with a resize, and Kivy keeps drawing into the window
it was created with (800×600 by default) while laying out for the whole screen. Creating the
window at the screen's size from the start makes full screen independent of a window manager.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os


def x_screen_size() -> tuple[int, int] | None:
    """(width, height) in pixels of the default screen of $DISPLAY, or None if unknown."""
    if not os.environ.get("DISPLAY"):
        return None
    name = ctypes.util.find_library("X11")
    if not name:
        return None
    try:
        x11 = ctypes.CDLL(name)
        x11.XOpenDisplay.restype = ctypes.c_void_p
        x11.XOpenDisplay.argtypes = [ctypes.c_char_p]
        x11.XDisplayWidth.argtypes = x11.XDisplayHeight.argtypes = [ctypes.c_void_p, ctypes.c_int]
        x11.XDefaultScreen.argtypes = x11.XCloseDisplay.argtypes = [ctypes.c_void_p]
        display = x11.XOpenDisplay(None)
        if not display:
            return None
        try:
            screen = x11.XDefaultScreen(display)
            return x11.XDisplayWidth(display, screen), x11.XDisplayHeight(display, screen)
        finally:
            x11.XCloseDisplay(display)
    except (OSError, AttributeError):
        return None
