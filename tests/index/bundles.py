"""Writing bundles for tests, the same way `scripts/build_sample.py` and exports do."""

from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path


def write_bundle(root: Path, items: list[dict], attachments: dict[str, bytes] | None = None,
                 mode: str = "snapshot") -> Path:
    """A bundle directory holding `items` and attachment files (sha256 → bytes)."""
    (root / "attachments").mkdir(parents=True, exist_ok=True)
    text = "".join(json.dumps(i, ensure_ascii=False) + "\n" for i in items).encode()
    (root / "catalogue.jsonl").write_bytes(text)
    files = [{"path": "catalogue.jsonl", "sha256": hashlib.sha256(text).hexdigest(),
              "size": len(text)}]
    for sha, data in (attachments or {}).items():
        (root / "attachments" / sha).write_bytes(data)
        files.append({"path": f"attachments/{sha}", "sha256": sha, "size": len(data)})
    manifest = {"format": "disclosure-kiosk-bundle", "format_version": 1, "mode": mode,
                "files": files}
    (root / "manifest.json").write_text(json.dumps(manifest))
    return root


def zip_dir(src: Path, dest: Path) -> Path:
    with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as z:
        for p in sorted(src.rglob("*")):
            if p.is_file():
                z.write(p, p.relative_to(src).as_posix())
    return dest


def attachment(data: bytes) -> tuple[str, dict, bytes]:
    sha = hashlib.sha256(data).hexdigest()
    return sha, {"name": "附件1.pdf", "sha256": sha, "size": len(data),
                 "media_type": "application/pdf"}, data
