"""Printing: CJK font discovery now; ReportLab rendering and CUPS spooling arrive with the printing
issue. May import `index` models; never Kivy."""

from .errors import PrintError
from .fonts import CJKFont, find_cjk_font

__all__ = ["CJKFont", "PrintError", "find_cjk_font"]
