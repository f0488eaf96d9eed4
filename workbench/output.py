"""Output folders: the workbench deletes or overwrites only files it wrote itself.

Every command that writes a folder of files (``workbench report``, ``workbench lesson``,
``workbench export``) goes through one :class:`OutputFolder`. The folder keeps a manifest,
``.workbench-manifest.json``, listing every file the workbench wrote there. The rules:

* A folder that does not exist, is empty, or holds a manifest is a workbench output folder: write.
* A folder that holds other files and no manifest (``--output .`` in a clone of the repository,
  a thesis folder) is refused with an error naming a file found there, unless ``force=True``
  (``--force``): then the workbench writes beside those files.
* A file the workbench would write where a file it did not write already lies is never overwritten,
  ``force`` or not: the error names it and asks the user to move it.
* Files listed in the previous manifest that this run did not write again (a problem removed from
  the library, say) are deleted when the run finishes, and only when they are still what the
  workbench wrote: a regular file inside the folder (no symbolic link, no link in its path leading
  out) whose SHA-256 is the one the manifest recorded when it was written (for a manifest from before
  digests were recorded: not modified since the manifest was written). A file someone changed or
  replaced is left where it is and is no longer listed as the workbench's. Nothing else is ever
  deleted. Folders left empty by those deletions are removed too.
* Sub-folders with a manifest of their own (``reports/lesson`` inside ``reports``) and the files
  named in ``keep`` (the result store and its journal files) are not "other files".
* The manifest is rewritten when the writer finishes, also after an error, so it always lists
  every file of the workbench's that is on disk.

This is how Sphinx and MkDocs treat their build folders: clean what you built, nothing else.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from types import TracebackType

__all__ = ["MANIFEST", "OutputFolder", "OutputFolderError"]

MANIFEST = ".workbench-manifest.json"
#: Files the workbench writes beside a SQLite store (they come and go with the store).
STORE_COMPANIONS = ("-wal", "-shm", "-journal")


class OutputFolderError(ValueError):
    """The output folder cannot be written without deleting or overwriting someone else's files."""


def _relative(path: Path, root: Path) -> str:
    return path.relative_to(root).as_posix()


def _digest(path: Path) -> str:
    """SHA-256 of a file's bytes, hexadecimal."""
    hasher = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            hasher.update(block)
    return hasher.hexdigest()


def _write_atomically(target: Path, text: str) -> None:
    """Write ``text`` to a temporary file beside ``target`` and rename it into place; on failure the
    temporary file (created here, so the workbench's own) is removed and ``target`` is untouched."""
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


class OutputFolder:
    """A folder the workbench writes into (module docstring). Use as a context manager::

    with OutputFolder("reports", kind="report", force=False, keep=[store]) as folder:
        folder.claim(["index.html", "tables/summary.csv"])     # refuses to overwrite others' files
        ...write folder.path("index.html") and folder.path("tables/summary.csv")...
        folder.written([folder.path("index.html"), folder.path("tables/summary.csv")])
    """

    def __init__(self, root: str | Path, *, kind: str, force: bool = False, keep: Iterable[str | Path] = ()) -> None:
        self.root = Path(root)
        self.kind = kind
        self.force = force
        self._keep = {Path(p).resolve() for p in keep}
        self._keep |= {Path(str(p) + suffix) for p in self._keep for suffix in STORE_COMPANIONS}
        self._previous: set[str] = set()
        self._digests: dict[str, str] = {}  # the previous manifest's SHA-256 per file, where it recorded one
        self._manifest_time: float | None = None  # when the previous manifest was written
        self._claimed: set[str] = set()
        self._written: set[str] = set()
        self._open = False

    # -- opening ----------------------------------------------------------------------------------
    def __enter__(self) -> OutputFolder:
        self.open()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        self.close(completed=kind is None)

    def open(self) -> None:
        """:meth:`check` the folder, then create it; raises OutputFolderError."""
        self.check()
        root = self.root
        try:
            root.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise OutputFolderError(
                f"cannot create the output folder {root} ({error.strerror}); choose a writable folder with --output"
            ) from None
        if not os.access(root, os.W_OK):
            raise OutputFolderError(f"output folder {root} is not writable; choose another with --output")
        self._open = True

    def check(self) -> None:
        """Read the manifest, or refuse a folder that holds other files (module docstring); creates
        nothing, so a command can check its output folder before it runs anything."""
        root = self.root
        if root.exists() and not root.is_dir():
            raise OutputFolderError(f"output {root} is a file, not a folder; choose a folder with --output")
        manifest = root / MANIFEST
        if manifest.exists():
            self._previous = self._read_manifest(manifest)
            self._manifest_time = manifest.stat().st_mtime
        elif root.is_dir():
            others = self.other_files()
            if others and not self.force:
                example = others[0]
                raise OutputFolderError(
                    f"output folder {root} holds {len(others)} file(s) the workbench did not write (for example "
                    f"{example}) and is not a workbench output folder; choose a new or empty folder with --output, "
                    "or pass --force to write beside those files (they are never deleted or overwritten)"
                )

    def _read_manifest(self, manifest: Path) -> set[str]:
        try:
            data = json.loads(manifest.read_text())
            files = data["files"]
            if not isinstance(files, list) or not all(isinstance(f, str) for f in files):
                raise TypeError("files is not a list of paths")
            digests = data.get("digests", {})
            if not isinstance(digests, dict):
                raise TypeError("digests is not a mapping of paths to SHA-256")
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise OutputFolderError(
                f"{manifest} is not a readable workbench manifest ({error}); the workbench cannot tell which files "
                "in that folder are its own: choose another --output folder"
            ) from None
        # a manifest can only speak for files inside its folder
        inside = {f for f in files if not Path(f).is_absolute() and ".." not in Path(f).parts}
        self._digests = {f: d for f, d in digests.items() if f in inside and isinstance(d, str)}
        return inside

    def other_files(self) -> list[str]:
        """Files in the folder that are not the workbench's (module docstring), sorted."""
        root = self.root
        if not root.is_dir():
            return []
        others = []
        nested: list[Path] = []
        for directory, folders, files in os.walk(root):
            here = Path(directory)
            if here != root and (here / MANIFEST).exists():
                nested.append(here)
                folders[:] = []
                continue
            folders.sort()
            for name in sorted(files):
                path = here / name
                relative = _relative(path, root)
                if name == MANIFEST or relative in self._previous or path.resolve() in self._keep:
                    continue
                others.append(relative)
        return others

    # -- writing ----------------------------------------------------------------------------------
    def path(self, relative: str | Path) -> Path:
        return self.root / relative

    def claim(self, relatives: Iterable[str | Path]) -> None:
        """Declare files about to be written; raises OutputFolderError for any that exists and is
        not the workbench's (it is never overwritten, ``force`` or not)."""
        if not self._open:
            raise RuntimeError("open the OutputFolder before claiming files in it")
        clashes = []
        for relative in relatives:
            name = Path(relative).as_posix()
            path = self.root / name
            if name in self._previous or name in self._claimed:
                self._claimed.add(name)
                continue
            if path.exists() or path.is_symlink():
                if path.resolve() in self._keep:
                    continue
                clashes.append(name)
            else:
                self._claimed.add(name)
        if clashes:
            raise OutputFolderError(
                f"{self.root / clashes[0]} exists and was not written by the workbench"
                + (f" ({len(clashes) - 1} more such files)" if len(clashes) > 1 else "")
                + "; it is never overwritten: move it away or choose another --output folder"
            )

    def written(self, paths: Iterable[str | Path]) -> None:
        """Record files written (they go into the manifest): paths inside the folder, as
        ``folder.path(relative)`` returns them."""
        root = self.root.resolve()
        for path in paths:
            self._written.add(Path(path).resolve().relative_to(root).as_posix())

    def write_text(self, relative: str | Path, text: str) -> Path:
        """Claim, write atomically (a temporary file renamed into place) and record one text file."""
        self.claim([relative])
        target = self.root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        _write_atomically(target, text)
        self.written([target])
        return target

    # -- closing ----------------------------------------------------------------------------------
    def close(self, *, completed: bool = True) -> list[str]:
        """Write the manifest; when ``completed``, delete the previous run's files not written again
        (module docstring). Returns the files deleted."""
        if not self._open:
            return []
        self._open = False
        deleted: list[str] = []
        digests = {name: _digest(self.root / name) for name in self._written if (self.root / name).is_file()}
        if completed:
            for name in sorted(self._previous - self._written):
                path = self.root / name
                if self._unchanged(name, path):  # still what the workbench wrote: delete it
                    path.unlink()
                    deleted.append(name)
                    self._remove_empty_parents(path.parent)
                # otherwise changed, replaced or gone: left alone and no longer listed
        else:  # an interrupted run keeps every earlier file: still ours, still listed
            for name in self._previous - self._written:
                if (self.root / name).exists():
                    digests.setdefault(name, self._digests.get(name, ""))
        self._write_manifest(digests)
        return deleted

    def _unchanged(self, name: str, path: Path) -> bool:
        """Whether ``path`` (listed as ``name`` in the previous manifest) is still the file the workbench
        wrote there (module docstring): the only files :meth:`close` deletes."""
        if path.is_symlink() or not path.is_file():
            return False
        if not path.resolve().is_relative_to(self.root.resolve()):  # a linked folder leading out
            return False
        recorded = self._digests.get(name)
        if recorded:
            return _digest(path) == recorded
        # a manifest without digests: unchanged since that manifest was written after it
        return self._manifest_time is not None and path.stat().st_mtime <= self._manifest_time

    def _remove_empty_parents(self, folder: Path) -> None:
        root = self.root.resolve()
        while folder.resolve() != root and folder.resolve().is_relative_to(root):
            try:
                folder.rmdir()  # only succeeds when empty
            except OSError:
                return
            folder = folder.parent

    def _write_manifest(self, digests: dict[str, str]) -> None:
        """The manifest: the files (sorted) and the SHA-256 of each as written (empty where unknown)."""
        files = sorted(digests)
        data = {"tool": "workbench", "kind": self.kind, "files": files,
                "digests": {name: digests[name] for name in files if digests[name]}}  # fmt: skip
        _write_atomically(self.root / MANIFEST, json.dumps(data, indent=1) + "\n")
