"""Human-readable output of `kiosk-admin`: bilingual labels, catalogue text shown safely.

Catalogue text is data and may hold control characters; printed raw they could move the cursor
or recolour a clerk's terminal, so they are shown as visible escapes here (JSON output keeps
them, escaped by the JSON encoder).
"""

from __future__ import annotations

import datetime as dt
import re
import sys

from index import ExportReport, ImportReport, SearchResults, SyncReport, VerifyReport

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def safe(text: object) -> str:
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group(0)):02x}", str(text))


def _mark(text: str, spans: list[tuple[int, int]]) -> str:
    bold = sys.stdout.isatty()
    left, right = ("\x1b[1;4m", "\x1b[0m") if bold else ("【", "】")
    out, last = [], 0
    for s, e in spans:
        out += [safe(text[last:s]), left, safe(text[s:e]), right]
        last = e
    out.append(safe(text[last:]))
    return "".join(out)


def human_size(n: int) -> str:
    size = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{n} B"


def import_report(r: ImportReport) -> str:
    c = r.counts
    mode = "完整快照 snapshot" if r.mode == "snapshot" else "变更 changes"
    lines = [
        f"导入 Imported: {safe(r.source)}（{mode}，"
        f"{r.lines} 行 lines，{r.seconds:.1f} s）",
        f"  新增 added {c.added} · 更新 updated {c.updated} · 删除 deleted {c.deleted} · "
        f"未变 unchanged {c.unchanged} · 拒收 rejected {r.rejected_total}",
    ]
    if c.stale:
        lines.append(f"  比本机旧而跳过 skipped as older than this kiosk's copy: {c.stale}")
    if c.missing:
        lines.append(f"  要删除但本机没有 deletions of items not held: {c.missing}")
    if r.attachments_added or r.attachments_missing:
        lines.append(f"  附件 attachments: 新增 added {r.attachments_added} · "
                     f"尚缺 still missing {r.attachments_missing}")
    if r.snapshot_removal_skipped:
        lines.append("  注意：有无法读取的行，因此未删除本机多出的条目 / Note: some lines were "
                     "unreadable, so local items absent from the snapshot were kept")
    if r.rejected:
        lines.append("  拒收原因 Rejections:")
        for x in r.rejected:
            ident = f" [{safe(x.item_id)}]" if x.item_id else ""
            lines.append(f"    第 {x.line} 行 line {x.line}{ident} {safe(x.field)}: "
                         f"{x.zh} / {x.en}")
        if r.rejected_total > len(r.rejected):
            lines.append(f"    …另有 {r.rejected_total - len(r.rejected)} 条 "
                         f"and {r.rejected_total - len(r.rejected)} more")
    return "\n".join(lines)


FACET_LABELS = {"agency": "发布机构 agency", "category": "分类 category", "year": "年份 year"}


def search_results(r: SearchResults) -> str:
    if r.total == 0:
        return ("没有找到相关信息。可以换个说法，或申请公开（依申请公开）。\n"
                "No matching documents. Try other words, or apply for the information.")
    lines = [f"共 {r.total} 条 {r.total} results（第 {r.page}/{r.pages} 页 page）"]
    if r.relaxed:
        lines.append(f"完全符合 {r.exact_total} 条，其余为部分相关结果 / {r.exact_total} hold "
                     "every word; the others hold some of them")
    for n, h in enumerate(r.hits, (r.page - 1) * r.page_size + 1):
        it = h.item
        meta = [safe(it.agency), it.published_date]
        if it.doc_number:
            meta.append(safe(it.doc_number))
        meta.append(safe(it.id))
        lines.append(f"{n:>3}. {_mark(it.title, h.title_highlights)}")
        lines.append(f"     {' · '.join(meta)}")
        if h.snippet.text:
            lines.append(f"     {_mark(h.snippet.text, h.snippet.highlights)}")
    for key, counts in r.facets.items():
        if counts:
            shown = "，".join(f"{safe(k)} ({v})" for k, v in list(counts.items())[:8])
            lines.append(f"{FACET_LABELS[key]}: {shown}")
    return "\n".join(lines)


def search_json(r: SearchResults) -> dict:
    return {
        "query": r.query, "total": r.total, "page": r.page, "pages": r.pages,
        "relaxed": r.relaxed, "exact_total": r.exact_total, "filters": r.filters,
        "hits": [{
            "id": h.item.id, "title": h.item.title, "agency": h.item.agency,
            "published_date": h.item.published_date, "doc_number": h.item.doc_number,
            "snippet": h.snippet.text, "snippet_field": h.snippet.field,
            "highlights": [list(s) for s in h.snippet.highlights],
            "title_highlights": [list(s) for s in h.title_highlights],
            "score": round(h.score, 3),
        } for h in r.hits],
        "facets": r.facets,
    }


def _when(epoch: float | None) -> str:
    if not epoch:
        return "—"
    return dt.datetime.fromtimestamp(epoch).strftime("%Y-%m-%d %H:%M")


def stats(s: dict) -> str:
    ix = s["index"]
    state = "最新 up to date" if ix["up_to_date"] else "落后或需重建 behind or needs rebuilding"
    lines = [
        f"数据目录 data directory: {s['data_dir']}",
        f"条目 items: {s['items']}",
        f"附件 attachments: {s['attachments']['files']} 个文件 files, "
        f"{human_size(s['attachments']['bytes'])}",
        f"索引 index: {ix['generation'] or '—'}（分析器 analyzer v{ix['analyzer_version']}），"
        f"{ix['documents'] if ix['documents'] is not None else '—'} 篇 documents，{state}，"
        f"建于 built {_when(ix['built_at'])}",
    ]
    last = s.get("last_import")
    if last:
        lines.append(f"最近导入 last import: {last['at']} {safe(last['source'])} — "
                     f"新增 added {last['added']} · 更新 updated {last['updated']} · "
                     f"删除 deleted {last['deleted']} · 拒收 rejected {last['rejected']}")
    else:
        lines.append("最近导入 last import: —")
    lines += sync_stats(s["sync"])
    return "\n".join(lines)


def export_report(r: ExportReport) -> str:
    lines = [f"已导出 Exported: {safe(r.path)}（{human_size(r.bytes)}，{r.seconds:.1f} s）",
             f"  条目 items {r.items} · 附件 attachments {r.attachments} · "
             f"{'已签名 signed' if r.signed else '未签名 unsigned'}"]
    if r.attachments_missing:
        lines.append(f"  本机尚缺的附件未能包含 attachments not held here were left out: "
                     f"{r.attachments_missing}")
    return "\n".join(lines)


def sync_report(r: SyncReport) -> str:
    c = r.counts
    how = "完整读取 full read" if r.full_read else "增量 incremental"
    lines = [f"同步完成 Synced（{how}，{r.pages} 页 pages，{r.changes} 项变更 changes，"
             f"{r.seconds:.1f} s）",
             f"  新增 added {c.added} · 更新 updated {c.updated} · 删除 deleted {c.deleted} · "
             f"未变 unchanged {c.unchanged} · 拒收 rejected {r.rejected_total}"]
    if r.cursor_expired:
        lines.append("  同步位置已过期，已重新读取完整目录 / the cursor had expired; the whole "
                     "catalogue was read again")
    if r.removed_unseen:
        lines.append(f"  中心已无而删除 removed as no longer published: {r.removed_unseen}")
    if r.attachments_fetched or r.attachments_refused or r.attachments_unavailable:
        lines.append(f"  附件 attachments: 取得 fetched {r.attachments_fetched}"
                     f"（{human_size(r.attachment_bytes)}）· 校验失败而拒收 refused "
                     f"{len(r.attachments_refused)} · 中心没有 unavailable "
                     f"{r.attachments_unavailable}")
    if r.attachments_refused:
        lines.append("  校验失败的附件下次同步会重新下载 / refused attachments are fetched again "
                     "by the next sync: " + ", ".join(x[:12] for x in r.attachments_refused[:5]))
    if r.retries:
        lines.append(f"  网络重试 network retries: {r.retries}")
    for x in r.rejected:
        ident = f"[{safe(x.item_id)}] " if x.item_id else ""
        lines.append(f"    {ident}{safe(x.field)}: {x.zh} / {x.en}")
    if r.rejected_total > len(r.rejected):
        lines.append(f"    …另有 {r.rejected_total - len(r.rejected)} 条 and "
                     f"{r.rejected_total - len(r.rejected)} more")
    return "\n".join(lines)


def _ago(seconds: int | None) -> str:
    if seconds is None:
        return "—"
    if seconds < 90:
        return f"{seconds} 秒 s"
    if seconds < 90 * 60:
        return f"{round(seconds / 60)} 分钟 min"
    if seconds < 48 * 3600:
        return f"{round(seconds / 3600)} 小时 h"
    return f"{round(seconds / 86400)} 天 days"


def sync_stats(sync: dict) -> list[str]:
    lines = [f"最近成功同步 last successful sync: {sync['last_success_at'] or '从未 never'}"]
    if sync["behind_seconds"] is not None:
        lines.append(f"  目录可能落后中心系统至多 the mirror may lag the central catalogue by up to "
                     f"{_ago(sync['behind_seconds'])}")
    if sync["last_error"]:
        e = sync["last_error"]
        lines.append(f"  最近错误 last error（{e['at']}）: {e['zh']} / {e['en']}")
    if sync["full_read_in_progress"]:
        lines.append("  完整读取尚未完成，下次同步继续 / a full read is unfinished; the next sync "
                     "continues it")
    if sync["attachments_missing"]:
        lines.append(f"  尚未取得的附件 attachments not yet fetched: {sync['attachments_missing']}")
    return lines


def verify_report(v: VerifyReport) -> str:
    if v.ok:
        lines = [f"一致 OK: 目录 {v.items} 条与索引 {v.documents} 篇一致 / mirror and index agree "
                 f"({v.items} items)；附件完好 attachments intact: {v.attachments_checked}"]
    else:
        lines = ["不一致 MISMATCH（运行 kiosk-admin rebuild-index 可修复索引 / "
                 "run kiosk-admin rebuild-index to repair the index）"]
        if not v.index_readable:
            lines.append("  索引无法读取 the index cannot be read")
        if v.index_behind:
            lines.append("  索引落后于目录 the index lags behind the mirror")
        for label, n, ids in (
                ("索引中缺少 missing from the index", v.missing_count, v.missing_from_index),
                ("索引中多余 in the index but not the mirror", v.extra_count, v.extra_in_index),
                ("索引内容过时 outdated in the index", v.outdated_count, v.outdated_in_index)):
            if n:
                lines.append(f"  {label}: {n}（例 e.g. {', '.join(safe(i) for i in ids[:5])}）")
        if v.attachments_damaged:
            lines.append(f"  附件损坏 damaged attachments: {len(v.attachments_damaged)}（例 e.g. "
                         f"{', '.join(x[:12] for x in v.attachments_damaged[:5])}）")
    if v.attachments_not_fetched:
        lines.append(f"  尚未取得的附件 attachments not yet fetched: {v.attachments_not_fetched}")
    return "\n".join(lines)
