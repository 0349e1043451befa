"""The catalogue: item model, SQLite mirror, Chinese full-text index, search, import, sync.

Imports nothing of the kiosk's other packages and never Kivy. Callers use `Catalogue` and handle
`CatalogueError` (every message in Chinese and English).
"""

from .catalogue import Catalogue
from .errors import AttachmentRejected, BundleError, CatalogueError, InvalidItem, StoreBusy
from .export import ExportReport
from .feed import FeedError, RetryPolicy
from .importer import ImportReport, Rejection
from .model import Attachment, Change, Item, parse_change, parse_item
from .search import Hit, SearchResults, Suggestion
from .snippets import Snippet
from .sync import SyncReport
from .verify import VerifyReport

__all__ = [
    "Attachment", "AttachmentRejected", "BundleError", "Catalogue", "CatalogueError", "Change",
    "ExportReport", "FeedError", "Hit", "ImportReport", "InvalidItem", "Item", "Rejection",
    "RetryPolicy", "SearchResults", "Snippet", "StoreBusy", "Suggestion", "SyncReport",
    "VerifyReport", "parse_change", "parse_item",
]
