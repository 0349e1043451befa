"""The catalogue: item model, SQLite mirror, Chinese full-text index, search, import.

Imports nothing of the kiosk's other packages and never Kivy. Callers use `Catalogue` and handle
`CatalogueError` (every message in Chinese and English).
"""

from .catalogue import Catalogue
from .errors import BundleError, CatalogueError, InvalidItem, StoreBusy
from .importer import ImportReport, Rejection
from .model import Attachment, Change, Item, parse_change, parse_item
from .search import Hit, SearchResults, Suggestion
from .snippets import Snippet
from .verify import VerifyReport

__all__ = [
    "Attachment", "BundleError", "Catalogue", "CatalogueError", "Change", "Hit", "ImportReport",
    "InvalidItem", "Item", "Rejection", "SearchResults", "Snippet", "StoreBusy", "Suggestion",
    "VerifyReport", "parse_change", "parse_item",
]
