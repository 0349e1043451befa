"""Printing: faithful Chinese printouts through CUPS.

- `fonts` finds a TrueType CJK font and registers it with ReportLab (embedded as subsets);
- `linebreak` breaks Chinese text into lines by the punctuation rules (行首/行尾禁则);
- `layout`, `render`, `stamp`, `receipt` make the PDFs: items, attachments with a stamped
  footer, application receipts (A4 or 80 mm roll);
- `pages` parses page ranges; `quota` prices a print and applies the venue's caps;
- `printlog` records every job without personal data; `spool` talks to CUPS (pycups);
- `desk` ties them together: prepare → quote → submit → follow;
- `capturecups` runs a private cupsd whose queues capture jobs, for the tests and the demo.

May import `index` models; never Kivy, never `kiosk`.
"""

from .errors import PrintError
from .fonts import CJKFont, find_cjk_font

__all__ = ["CJKFont", "PrintError", "find_cjk_font"]
