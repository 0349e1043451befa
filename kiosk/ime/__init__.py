"""Pinyin input for the on-screen keyboard: `zhengfu` or `zf` offers 政府 in the candidate bar.

No Kivy here: the keyboard widget in `kiosk.ui` drives a `Composer` per text field and shows its
candidates. The dictionary (`PinyinDictionary`) is made from jieba's word frequencies and
pypinyin's readings, cached in one file and loaded in a fraction of a second; `python -m kiosk.ime
build` makes the cache ahead of time (deployment, `make setup`).

    dictionary = PinyinDictionary.load(cache_dir)     # any thread; builds the cache if needed
    composer = Composer(dictionary)
    for letter in "zf":
        composer.type(letter)
    composer.candidates(limit=5)                       # [Candidate('政府', "zheng'fu", 2), ...]
    field_text += composer.choose(0)                   # '政府'

The local catalogue's words (agency names, title phrases) join the dictionary through
`CatalogueVocabulary` (see `kiosk.ime.vocabulary`):

    CatalogueVocabulary(catalogue, cache_dir).install()   # before the keyboard loads
    load_in_background(cache_dir)                          # merges them into what it loads
"""

from .build import BuildParams
from .cache import CacheCorrupt, default_cache_dir
from .composer import Candidate, Composer
from .dictionary import PinyinDictionary, load_in_background
from .vocabulary import CatalogueVocabulary

__all__ = [
    "BuildParams",
    "CacheCorrupt",
    "Candidate",
    "CatalogueVocabulary",
    "Composer",
    "PinyinDictionary",
    "default_cache_dir",
    "load_in_background",
]
