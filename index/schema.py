"""The Whoosh schema and how an `Item` becomes an index document.

The index holds no text the mirror does not; it stores only the id and a content hash (for
`verify`). Titles and bodies for display and snippets come from the mirror. Facet values are
folded (Traditional → Simplified) so that 北屏縣人民政府 and 北屏县人民政府 are one agency.
"""

from __future__ import annotations

from whoosh import fields

from . import numbers, pinyin
from .analysis import ChineseTokenizer, SeparatedTokenizer, join_terms, pieces, words
from .fold import CJK_RUN, fold
from .model import Item, top_category

MAX_INDEXED_BODY = 200_000
"""Characters of a body that are searchable; a longer body is kept whole but searched by its start."""

SUGGEST_SEP = "\x1e"
"""Separates a suggestion's lookup key from the phrase shown (`baomi\x1e保密`); it must differ
from `SeparatedTokenizer.SEP`, which separates the terms of the field."""


def build_schema() -> fields.Schema:
    text = ChineseTokenizer()
    bigrams = ChineseTokenizer(use_words=False)  # bodies: see ChineseTokenizer
    keyed = SeparatedTokenizer()
    stream = SeparatedTokenizer(sep=" ", gap=pinyin.GAP)
    return fields.Schema(
        id=fields.ID(stored=True, unique=True),
        hash=fields.STORED(),
        title=fields.TEXT(analyzer=text, phrase=True),
        # stored: the readings the title was indexed with, for marking what a typed pinyin
        # matched (`pinyin.match_spans`) without loading pypinyin's tables into a searcher
        title_py=fields.TEXT(analyzer=stream, phrase=True, stored=True),
        title_ini=fields.TEXT(analyzer=stream, phrase=True),
        summary=fields.TEXT(analyzer=text, phrase=False),
        body=fields.TEXT(analyzer=bigrams, phrase=False),
        keywords=fields.TEXT(analyzer=text, phrase=False),
        agency_text=fields.TEXT(analyzer=text, phrase=False),
        numbers=fields.TEXT(analyzer=text, phrase=False),
        numkey=fields.KEYWORD(analyzer=keyed),
        agency=fields.ID(sortable=True),
        category=fields.KEYWORD(analyzer=keyed),
        catset=fields.ID(sortable=True),
        year=fields.ID(sortable=True),
        published=fields.ID(sortable=True),
        sugg=fields.KEYWORD(analyzer=keyed),
    )


def facet_values(item: Item) -> tuple[str, list[str], str]:
    """(agency, top-level categories, year) as the facets show and filter them."""
    cats = sorted({fold(top_category(c)) for c in item.categories} - {""})
    return fold(item.agency.strip()), cats, item.year


def suggestion_terms(item: Item) -> list[str]:
    """Lookup terms for search-as-you-type: words and short phrases of the title, and the agency.

    Each phrase is findable by its folded characters, its pinyin and its initials.
    """
    phrases: dict[str, tuple[str | None, ...]] = {}  # phrase → its syllables
    for run, _start, cjk in pieces(fold(item.title)):
        if not cjk:
            continue
        sy = pinyin.syllables(run)
        seg = words(run)
        for i in range(len(seg)):
            # a word, or two or three neighbouring words, each of two characters or more
            for j in range(i + 1, min(i + 4, len(seg) + 1)):
                if len(seg[j - 1][0]) < 2:
                    break
                start, end = seg[i][1], seg[j - 1][1] + len(seg[j - 1][0])
                if end - start > 8:
                    break
                phrases[run[start:end]] = sy[start:end]
    agency = fold(item.agency.strip())
    if agency:
        phrases[agency] = pinyin.syllables(agency) if CJK_RUN.fullmatch(agency) else ()
    out: set[str] = set()
    for phrase, sylls in phrases.items():
        out.add(f"{phrase}{SUGGEST_SEP}{phrase}")
        for key in pinyin.span_keys(sylls) if sylls else ():
            if key and len(key) >= 2:
                out.add(f"{key}{SUGGEST_SEP}{phrase}")
    return sorted(out)


def document(item: Item, content_hash: str) -> dict[str, object]:
    """The fields Whoosh indexes for one item."""
    agency, cats, year = facet_values(item)
    syllable_stream, initials_stream = pinyin.title_streams(item.title)
    keys = numbers.keys_for(item.id) + numbers.keys_for(item.doc_number)
    return {
        "id": item.id,
        "hash": content_hash,
        "title": item.title,
        "title_py": syllable_stream,
        "title_ini": initials_stream,
        "summary": item.summary or "",
        "body": item.body[:MAX_INDEXED_BODY],
        "keywords": " ".join(item.keywords),
        "agency_text": item.agency,
        "numbers": f"{item.id} {item.doc_number or ''}",
        "numkey": join_terms(keys),
        "agency": agency,
        "category": join_terms(cats),
        "catset": join_terms(cats),
        "year": year,
        "published": item.published_date,
        "sugg": join_terms(suggestion_terms(item)),
    }
