"""Output folders: the workbench deletes or overwrites only files it wrote (workbench.output)."""

import json

import pytest

from workbench.output import MANIFEST, OutputFolder, OutputFolderError


def _write(folder: OutputFolder, files: dict[str, str]) -> None:
    folder.claim(list(files))
    for name, text in files.items():
        folder.write_text(name, text)


def test_a_new_folder_is_written_and_gets_a_manifest(tmp_path):
    root = tmp_path / "out"
    with OutputFolder(root, kind="report") as folder:
        _write(folder, {"index.md": "a", "tables/t.csv": "1,2\n"})
    manifest = json.loads((root / MANIFEST).read_text())
    assert manifest["files"] == ["index.md", "tables/t.csv"] and manifest["tool"] == "workbench"


def test_a_folder_with_other_files_is_refused_and_left_untouched(tmp_path):
    (tmp_path / "problems").mkdir()
    (tmp_path / "problems" / "mine.py").write_text("x = 1")
    with pytest.raises(OutputFolderError, match=r"did not write .*problems/mine.py.*--force"):
        with OutputFolder(tmp_path, kind="report") as folder:
            _write(folder, {"index.md": "a"})
    assert (tmp_path / "problems" / "mine.py").read_text() == "x = 1"
    assert not (tmp_path / MANIFEST).exists() and not (tmp_path / "index.md").exists()


def test_force_writes_beside_other_files_and_never_over_them(tmp_path):
    (tmp_path / "notes.txt").write_text("keep me")
    with OutputFolder(tmp_path, kind="report", force=True) as folder:
        _write(folder, {"index.md": "a"})
    assert (tmp_path / "notes.txt").read_text() == "keep me" and (tmp_path / "index.md").read_text() == "a"
    (tmp_path / "index.html").write_text("the user's own page")
    with pytest.raises(OutputFolderError, match="index.html exists and was not written by the workbench"):
        with OutputFolder(tmp_path, kind="report", force=True) as folder:
            _write(folder, {"index.md": "b", "index.html": "ours"})
    assert (tmp_path / "index.html").read_text() == "the user's own page"


def test_rewriting_replaces_only_our_files_and_deletes_only_our_stale_ones(tmp_path):
    with OutputFolder(tmp_path, kind="report") as folder:
        _write(folder, {"index.md": "1", "figures/old.png": "old", "figures/kept.png": "k"})
    (tmp_path / "figures" / "thesis-fig1.png").write_text("the user's figure")
    with OutputFolder(tmp_path, kind="report") as folder:
        _write(folder, {"index.md": "2", "figures/kept.png": "k2"})
    assert (tmp_path / "index.md").read_text() == "2"
    assert not (tmp_path / "figures" / "old.png").exists()  # ours, not written again: removed
    assert (tmp_path / "figures" / "thesis-fig1.png").read_text() == "the user's figure"
    assert json.loads((tmp_path / MANIFEST).read_text())["files"] == ["figures/kept.png", "index.md"]


def test_emptied_folders_of_ours_are_removed(tmp_path):
    with OutputFolder(tmp_path, kind="report") as folder:
        _write(folder, {"index.md": "1", "problems/a.md": "a"})
    with OutputFolder(tmp_path, kind="report") as folder:
        _write(folder, {"index.md": "2"})
    assert not (tmp_path / "problems").exists()


def test_an_interrupted_write_keeps_earlier_files_listed(tmp_path):
    with OutputFolder(tmp_path, kind="report") as folder:
        _write(folder, {"index.md": "1", "a.md": "a"})
    with pytest.raises(RuntimeError):
        with OutputFolder(tmp_path, kind="report") as folder:
            _write(folder, {"b.md": "b"})
            raise RuntimeError("interrupted")
    listed = json.loads((tmp_path / MANIFEST).read_text())["files"]
    assert listed == ["a.md", "b.md", "index.md"] and (tmp_path / "a.md").exists()


def test_nested_output_folders_and_the_store_are_not_other_files(tmp_path):
    with OutputFolder(tmp_path / "lesson", kind="lesson") as folder:
        _write(folder, {"index.md": "lesson"})
    store = tmp_path / "results.sqlite"
    store.write_bytes(b"SQLite format 3\x00")
    (tmp_path / "results.sqlite-wal").write_bytes(b"")
    with OutputFolder(tmp_path, kind="report", keep=[store]) as folder:
        _write(folder, {"index.md": "report"})
    assert (tmp_path / "lesson" / "index.md").read_text() == "lesson"


def test_a_manifest_cannot_claim_files_outside_its_folder(tmp_path):
    outside = tmp_path / "precious.txt"
    outside.write_text("precious")
    root = tmp_path / "out"
    root.mkdir()
    (root / MANIFEST).write_text(json.dumps({"files": ["../precious.txt", str(outside)]}))
    with OutputFolder(root, kind="report") as folder:
        _write(folder, {"index.md": "a"})
    assert outside.read_text() == "precious"


def test_a_broken_manifest_is_refused(tmp_path):
    (tmp_path / MANIFEST).write_text("{not json")
    with pytest.raises(OutputFolderError, match="not a readable workbench manifest"):
        OutputFolder(tmp_path, kind="report").check()


def test_an_output_that_is_a_file_is_refused(tmp_path):
    target = tmp_path / "file"
    target.write_text("x")
    with pytest.raises(OutputFolderError, match="is a file"):
        OutputFolder(target, kind="report").check()


def test_a_stale_file_someone_changed_or_replaced_is_never_deleted(tmp_path):
    """Only files still as the workbench wrote them (their recorded SHA-256) are deleted as stale; a
    changed one stays, and is no longer listed as the workbench's."""
    with OutputFolder(tmp_path, kind="report") as folder:
        _write(folder, {"index.md": "1", "old.md": "ours", "gone.md": "ours too"})
    manifest = json.loads((tmp_path / MANIFEST).read_text())
    assert set(manifest["digests"]) == {"index.md", "old.md", "gone.md"}
    (tmp_path / "old.md").write_text("the user's notes, written over our old page")
    with OutputFolder(tmp_path, kind="report") as folder:
        _write(folder, {"index.md": "2"})
    assert (tmp_path / "old.md").read_text() == "the user's notes, written over our old page"
    assert not (tmp_path / "gone.md").exists()  # unchanged: ours, deleted
    assert json.loads((tmp_path / MANIFEST).read_text())["files"] == ["index.md"]


def test_a_stale_entry_behind_a_link_is_never_followed(tmp_path):
    """A listed file reached through a symbolic link (a linked folder leading out, or a link in place of
    our file) is not deleted, even with a matching digest."""
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "page.md").write_text("ours")
    root = tmp_path / "out"
    with OutputFolder(root, kind="report") as folder:
        _write(folder, {"index.md": "1", "linked/page.md": "ours", "link.md": "ours"})
    (root / "linked" / "page.md").unlink()
    (root / "linked").rmdir()
    (root / "linked").symlink_to(outside, target_is_directory=True)
    (root / "link.md").unlink()
    (root / "link.md").symlink_to(outside / "page.md")
    with OutputFolder(root, kind="report") as folder:
        _write(folder, {"index.md": "2"})
    assert (outside / "page.md").read_text() == "ours" and (root / "link.md").is_symlink()


def test_a_manifest_without_digests_deletes_only_files_not_modified_since(tmp_path):
    import os

    for name in ("stale.md", "edited.md"):
        (tmp_path / name).write_text("ours")
    (tmp_path / MANIFEST).write_text(json.dumps({"tool": "workbench", "files": ["stale.md", "edited.md"]}))
    written = (tmp_path / MANIFEST).stat().st_mtime
    os.utime(tmp_path / "stale.md", (written - 10, written - 10))
    os.utime(tmp_path / "edited.md", (written + 10, written + 10))  # changed after the manifest
    with OutputFolder(tmp_path, kind="report") as folder:
        _write(folder, {"index.md": "new"})
    assert not (tmp_path / "stale.md").exists() and (tmp_path / "edited.md").read_text() == "ours"
