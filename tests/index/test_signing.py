"""Signed bundles: real keys, real directories and zips; a refused bundle changes nothing."""

from __future__ import annotations

import base64
import hashlib
import json
import zipfile

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from index import BundleError
from index.bundle import open_source
from index.importer import import_source
from index.signing import (
    PUBLIC_KEY_PREFIX,
    generate_keypair,
    load_private_key,
    load_public_key,
    public_key_text,
    sign_bundle,
    sign_manifest,
    verify_manifest,
)
from tests.conftest import make_item, write_jsonl
from tests.index.bundles import attachment, write_bundle, zip_dir

KEY = generate_keypair()
OTHER = generate_keypair()


def import_signed(catalogue, path, public_text: str = KEY[1]):
    """What `Catalogue.import_path(public_key=…)` will do: verify, then apply."""
    source = open_source(path, public_key=load_public_key(public_text))
    try:
        return source, import_source(source, catalogue.mirror, catalogue.attachments)
    finally:
        source.close()


def sample_bundle(tmp_path, name: str = "b"):
    sha, ref, data = attachment(b"%PDF-1.4 signed bytes")
    items = [make_item(1, title="采购公告", attachments=[ref]), make_item(2, title="中标公告")]
    return write_bundle(tmp_path / name, items, {sha: data}), sha


def test_keypair_round_trip():
    pem, public = KEY
    assert pem.startswith(b"-----BEGIN PRIVATE KEY-----")
    assert public.startswith(PUBLIC_KEY_PREFIX)
    assert len(base64.b64decode(public[len(PUBLIC_KEY_PREFIX):])) == 32
    assert public_key_text(pem) == public
    assert public_key_text(OTHER[0]) != public
    sig = sign_manifest(b'{"manifest": 1}', pem)
    assert sig.endswith(b"\n") and sig.count(b"\n") == 1
    assert len(base64.b64decode(sig[:-1], validate=True)) == 64
    verify_manifest(b'{"manifest": 1}', sig, load_public_key(public + "\n"))
    with pytest.raises(BundleError):
        verify_manifest(b'{"manifest": 2}', sig, load_public_key(public))


@pytest.mark.parametrize("as_zip", [False, True])
def test_a_signed_bundle_imports_with_the_public_key(catalogue, tmp_path, as_zip):
    bundle, sha = sample_bundle(tmp_path)
    target = zip_dir(bundle, tmp_path / "b.zip") if as_zip else bundle
    sign_bundle(target, KEY[0])
    source, report = import_signed(catalogue, target)
    assert source.signed
    assert (report.counts.added, report.attachments_added) == (2, 1)
    assert catalogue.mirror.count() == 2
    assert catalogue.attachment_path(sha) is not None


def test_signing_a_zip_keeps_every_member_and_replaces_an_old_signature(tmp_path):
    bundle, _sha = sample_bundle(tmp_path)
    z = zip_dir(bundle, tmp_path / "b.zip")
    with zipfile.ZipFile(z) as zf:
        before = {i.filename: (zf.read(i), i.compress_type) for i in zf.infolist()}
    sign_bundle(z, OTHER[0])
    sign_bundle(z, KEY[0])
    with zipfile.ZipFile(z) as zf:
        names = zf.namelist()
        assert names.count("manifest.sig") == 1
        after = {i.filename: (zf.read(i), i.compress_type) for i in zf.infolist()
                 if i.filename != "manifest.sig"}
        sig = zf.read("manifest.sig")
    assert after == before
    verify_manifest(before["manifest.json"][0], sig, load_public_key(KEY[1]))
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_without_a_public_key_signatures_are_ignored(catalogue, tmp_path):
    unsigned, _ = sample_bundle(tmp_path, "unsigned")
    source = open_source(unsigned)
    assert not source.signed
    import_source(source, catalogue.mirror, catalogue.attachments)
    source.close()
    assert catalogue.mirror.count() == 2
    signed, _ = sample_bundle(tmp_path, "signed")
    sign_bundle(signed, OTHER[0])
    (signed / "manifest.sig").write_text("garbage\n")  # not checked when no key is configured
    assert catalogue.import_path(signed).counts.unchanged == 2


# -- refusals ----------------------------------------------------------------------------------

def _unsigned(b):
    (b / "manifest.sig").unlink()


def _manifest_altered(b):
    m = json.loads((b / "manifest.json").read_text())
    m["item_count"] = 99
    (b / "manifest.json").write_text(json.dumps(m))


def _catalogue_altered_and_rehashed(b):
    with open(b / "catalogue.jsonl", "a") as f:
        f.write(json.dumps(make_item(99)) + "\n")
    m = json.loads((b / "manifest.json").read_text())
    data = (b / "catalogue.jsonl").read_bytes()
    m["files"][0] = {"path": "catalogue.jsonl", "sha256": hashlib.sha256(data).hexdigest(),
                     "size": len(data)}
    (b / "manifest.json").write_text(json.dumps(m))


def _another_key(b):
    sign_bundle(b, OTHER[0])


def _garbage_signature(b):
    (b / "manifest.sig").write_text("this is not a signature\n")


def _short_signature(b):
    (b / "manifest.sig").write_bytes(base64.b64encode(b"x" * 63) + b"\n")


def _huge_signature(b):
    (b / "manifest.sig").write_bytes(b"A" * 100_000)


@pytest.mark.parametrize("damage", [_unsigned, _manifest_altered, _catalogue_altered_and_rehashed,
                                    _another_key, _garbage_signature, _short_signature,
                                    _huge_signature])
@pytest.mark.parametrize("as_zip", [False, True])
def test_a_bundle_that_does_not_verify_is_refused_and_changes_nothing(catalogue, tmp_path,
                                                                      damage, as_zip):
    catalogue.import_path(write_jsonl(tmp_path / "a.jsonl", [make_item(5), make_item(6)]))
    before = (catalogue.mirror.hashes(), catalogue.mirror.current_seq())
    bundle, sha = sample_bundle(tmp_path)
    sign_bundle(bundle, KEY[0])
    damage(bundle)
    target = zip_dir(bundle, tmp_path / "b.zip") if as_zip else bundle
    with pytest.raises(BundleError) as err:
        import_signed(catalogue, target)
    assert "Nothing was changed" in err.value.en and "未做任何更改" in err.value.zh
    assert (catalogue.mirror.hashes(), catalogue.mirror.current_seq()) == before
    assert catalogue.mirror.count() == 2
    assert catalogue.attachment_path(sha) is None


def test_the_refusals_say_what_is_wrong(tmp_path):
    bundle, _ = sample_bundle(tmp_path)
    key = load_public_key(KEY[1])
    with pytest.raises(BundleError, match="not signed"):
        open_source(bundle, public_key=key)
    (bundle / "manifest.sig").write_text("!!\n")
    with pytest.raises(BundleError, match="malformed"):
        open_source(bundle, public_key=key)
    sign_bundle(bundle, OTHER[0])
    with pytest.raises(BundleError, match="does not match"):
        open_source(bundle, public_key=key)


def test_a_bare_jsonl_file_is_refused_when_signatures_are_required(catalogue, tmp_path):
    path = write_jsonl(tmp_path / "a.jsonl", [make_item(1)])
    with pytest.raises(BundleError) as err:
        import_signed(catalogue, path)
    assert "cannot carry a signature" in err.value.en and "未做任何更改" in err.value.zh
    assert catalogue.mirror.count() == 0


@pytest.mark.parametrize("text", [
    "", "ed25519:", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGx1", "rsa:AAAA",
    "ed25519:not base64!", PUBLIC_KEY_PREFIX + base64.b64encode(b"k" * 31).decode(),
    PUBLIC_KEY_PREFIX + base64.b64encode(b"k" * 33).decode(),
])
def test_a_wrong_or_unsupported_public_key_is_a_bundle_error(text):
    with pytest.raises(BundleError) as err:
        load_public_key(text)
    assert err.value.zh and err.value.en


def test_only_an_unencrypted_ed25519_pem_is_a_signing_key():
    rsa_pem = rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption())
    encrypted = load_private_key(KEY[0]).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b"secret"))
    for pem, words in [(rsa_pem, "not an Ed25519"), (encrypted, "password"),
                       (b"hello", "not a PEM"), (KEY[1].encode(), "not a PEM")]:
        with pytest.raises(BundleError, match=words):
            load_private_key(pem)


def test_sign_bundle_refuses_what_is_not_a_bundle(tmp_path):
    jsonl = write_jsonl(tmp_path / "a.jsonl", [make_item(1)])
    (tmp_path / "empty").mkdir()
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "manifest.json").write_text(json.dumps({"format": "other"}))
    not_a_zip = tmp_path / "fake.zip"
    not_a_zip.write_bytes(b"not a zip at all")
    plain_zip = tmp_path / "plain.zip"
    with zipfile.ZipFile(plain_zip, "w") as zf:
        zf.writestr("readme.txt", "hi")
    for path in (jsonl, tmp_path / "empty", foreign, not_a_zip, plain_zip, tmp_path / "nope"):
        before = sorted(p.name for p in tmp_path.rglob("*"))
        with pytest.raises(BundleError):
            sign_bundle(path, KEY[0])
        assert sorted(p.name for p in tmp_path.rglob("*")) == before
    bundle, _ = sample_bundle(tmp_path)
    with pytest.raises(BundleError):
        sign_bundle(bundle, b"not a key")
    assert not (bundle / "manifest.sig").exists()
