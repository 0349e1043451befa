#!/usr/bin/env python3
"""Build the bundled sample catalogue from the hand-written sources in assets/sample/source.

Writes, deterministically (same sources, same bytes):
- assets/sample/bundle/: catalogue.jsonl, attachments/<sha256> (PDFs rendered with ReportLab and
  the system CJK font), manifest.json (a snapshot bundle as `kiosk-admin import` reads it);
- assets/sample/judged-queries.json: the judged query set with item keys mapped to index
  numbers, plus index-number queries for a spread of items (typed exactly, in full-width, and
  in lower case).
Run with `make sample` after editing a source file.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "assets" / "sample" / "source"
BUNDLE = ROOT / "assets" / "sample" / "bundle"
QUERIES = ROOT / "assets" / "sample" / "judged-queries.json"
sys.path.insert(0, str(ROOT))

from index.model import parse_item, top_category  # noqa: E402
from printing.fonts import find_cjk_font  # noqa: E402

SITE = "https://xxgk.lincheng.example"


def category_code(path: str) -> str:
    return f"{int(hashlib.sha256(top_category(path).encode()).hexdigest(), 16) % 900 + 100}"


def index_number(fmt: str, code: str, written: str, serial: int, categories: list[str]) -> str:
    d = dt.date.fromisoformat(written)
    return fmt.format(code=code, yyyy=f"{d.year}", yyyymm=f"{d.year}{d.month:02d}",
                      mm=f"{d.month:02d}", serial=serial,
                      cat=category_code(categories[0]) if categories else "000")


def render_pdf(title: str, pages: list[str]) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    font = find_cjk_font()
    if "SampleCJK" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("SampleCJK", str(font.path), subfontIndex=font.subfont_index))
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, invariant=1)
    c.setTitle(title)
    width, height = A4
    margin, size, leading = 56, 12, 20
    for n, text in enumerate(pages, 1):
        y = height - margin
        c.setFont("SampleCJK", 15)
        c.drawString(margin, y, title if n == 1 else f"{title}（续）")
        y -= 34
        c.setFont("SampleCJK", size)
        for para in text.split("\n"):
            line = ""
            for ch in para:
                if pdfmetrics.stringWidth(line + ch, "SampleCJK", size) > width - 2 * margin:
                    c.drawString(margin, y, line)
                    y -= leading
                    line = ""
                line += ch
            c.drawString(margin, y, line)
            y -= leading
        c.setFont("SampleCJK", 9)
        c.drawCentredString(width / 2, margin / 2, f"第 {n} 页 / 共 {len(pages)} 页")
        c.showPage()
    c.save()
    return buf.getvalue()


def main() -> int:
    items: list[dict] = []
    key_to_id: dict[str, str] = {}
    attachments: dict[str, bytes] = {}
    for path in sorted(SOURCE.glob("*.json")):
        if path.name.endswith(".queries.json"):
            continue
        data = json.loads(path.read_text(encoding="utf-8"))
        for agency in data["agencies"]:
            ordered = sorted(agency["items"], key=lambda it: (it["written_date"], it["key"]))
            for serial, src in enumerate(ordered, 1):
                item_id = index_number(agency["index_format"], agency["credit_code"],
                                       src["written_date"], serial, src.get("categories") or [])
                published = src["published_date"]
                minute = serial * 7 % 60
                item = {
                    "id": item_id, "title": src["title"], "agency": agency["name"],
                    "doc_number": src.get("doc_number"), "categories": src.get("categories") or [],
                    "keywords": src.get("keywords") or [], "written_date": src["written_date"],
                    "published_date": published, "summary": src.get("summary"),
                    "body": src.get("body") or "", "attachments": [],
                    "source_url": f"{SITE}/{agency['slug']}/{published[:7].replace('-', '')}/"
                                  f"t{published.replace('-', '')}_{serial:05d}.html",
                    "updated_at": f"{published}T{9 + serial % 8:02d}:{minute:02d}:00+08:00",
                }
                for att in src.get("attachments") or []:
                    pdf = render_pdf(att["name"].removesuffix(".pdf"), att["pages"])
                    sha = hashlib.sha256(pdf).hexdigest()
                    attachments[sha] = pdf
                    item["attachments"].append({"name": att["name"], "sha256": sha,
                                                "size": len(pdf), "media_type": "application/pdf"})
                parse_item(item)  # the sample must pass the same validation as any feed
                if src["key"] in key_to_id:
                    raise SystemExit(f"duplicate key {src['key']} in {path.name}")
                if any(i["id"] == item_id for i in items):
                    raise SystemExit(f"duplicate index number {item_id} ({src['key']})")
                key_to_id[src["key"]] = item_id
                items.append(item)

    items.sort(key=lambda i: (i["published_date"], i["id"]))
    if BUNDLE.exists():
        shutil.rmtree(BUNDLE)
    (BUNDLE / "attachments").mkdir(parents=True)
    catalogue = "".join(json.dumps(i, ensure_ascii=False, sort_keys=True) + "\n" for i in items)
    (BUNDLE / "catalogue.jsonl").write_text(catalogue, encoding="utf-8")
    files = [{"path": "catalogue.jsonl", "sha256": hashlib.sha256(catalogue.encode()).hexdigest(),
              "size": len(catalogue.encode())}]
    for sha, pdf in sorted(attachments.items()):
        (BUNDLE / "attachments" / sha).write_bytes(pdf)
        files.append({"path": f"attachments/{sha}", "sha256": sha, "size": len(pdf)})
    manifest = {
        "format": "disclosure-kiosk-bundle", "format_version": 1, "mode": "snapshot",
        "created_at": max(i["updated_at"] for i in items),
        "description": "示例目录（虚构的临澄市）/ sample catalogue (the fictional city of Lincheng)",
        "item_count": len(items), "files": files,
    }
    (BUNDLE / "manifest.json").write_text(
        json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")

    queries = []
    for path in sorted(SOURCE.glob("*.queries.json")):
        for q in json.loads(path.read_text(encoding="utf-8")):
            missing = [k for k in q["expect"] if k not in key_to_id]
            if missing:
                raise SystemExit(f"{path.name}: query {q['query']!r} expects unknown {missing}")
            queries.append({"query": q["query"], "kind": q["kind"],
                            "expect": [key_to_id[k] for k in q["expect"]],
                            "note": q.get("note", ""), "source": path.name})
    for item in items[7::41]:  # a spread of agencies and index-number shapes
        full_width = item["id"].translate({c: c + 0xFEE0 for c in range(0x21, 0x7F)})
        for text, how in ((item["id"], "as printed"), (full_width, "full-width"),
                          (item["id"].lower(), "lower case")):
            queries.append({"query": text, "kind": "number", "expect": [item["id"]],
                            "note": f"索引号 typed {how}", "source": "build_sample.py"})
    QUERIES.write_text(json.dumps(queries, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"{len(items)} items, {len(attachments)} attachments, {len(queries)} judged queries")
    return 0


if __name__ == "__main__":
    sys.exit(main())
