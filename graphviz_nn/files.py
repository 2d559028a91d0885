"""Files: input text read with a size limit, output formats from extensions, and writes that leave
nothing behind when they fail.

Nothing is created before the input has been checked: `check_writable` only looks; folders are made
when the finished bytes are written, and removed again if that write fails.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import tempfile
from pathlib import Path

from .errors import NNError, quoted

_UMASK = os.umask(0o022)
os.umask(_UMASK)
DIAGRAM_FORMATS = ("png", "svg", "pdf", "dot")


def output_format(path: str | Path, allowed: tuple[str, ...]) -> str:
    """The format named by the path's extension, checked against what the command can write."""
    if not str(path).strip():
        raise NNError(f"the output path is empty; give a file name such as out.{allowed[0]}")
    _usable(path)
    if Path(path).is_dir():
        raise NNError(f"{_shown(path)} is a directory; give a file name inside it")
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix not in allowed:
        raise NNError(
            f"cannot tell the format of {_shown(path)} (use one of the extensions: "
            f"{', '.join('.' + a for a in allowed)})"
        )
    return suffix


MAX_TEXT_BYTES = 1_000_000  # an input file is a page or so of text; more is a wrong path (/dev/zero, a data file)


def _shown(path: str | Path) -> str:
    return quoted(str(path), 160)


def read_text(path: str | Path, what: str = "file", limit: int = MAX_TEXT_BYTES) -> str:
    """The text of an input file: a regular file of at most `limit` bytes of UTF-8 (a byte-order mark is
    fine). Opened without blocking and checked before reading, so a FIFO or /dev/zero cannot hang it."""
    shown = _shown(path)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except FileNotFoundError:
        raise NNError(f"{what} {shown} does not exist") from None
    except OSError as err:
        raise NNError(f"cannot read {what} {shown} ({err.strerror})") from err
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        if stat.S_ISDIR(mode):
            raise NNError(f"{what} {shown} is a folder; give a file")
        raise NNError(f"{what} {shown} is not a regular file (a device or a pipe); give a file")
    with os.fdopen(fd, "rb") as handle:
        try:
            data = handle.read(limit + 1)
        except OSError as err:
            raise NNError(f"cannot read {what} {shown} ({err.strerror})") from err
    if len(data) > limit:
        raise NNError(f"{what} {shown} is larger than {limit / 1e6:g} MB; give a short text file")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise NNError(f"{what} {shown} is not UTF-8 text (byte {err.start} cannot be read)") from err


def _usable(path: str | Path) -> Path:
    """`path`, if the system can look it up: a name too long (or a loop of links) is an error line."""
    try:
        os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        pass
    except OSError as err:
        raise NNError(f"cannot use {_shown(path)} ({err.strerror}); choose another path") from err
    return Path(path)


def _existing_ancestor(path: Path) -> Path:
    for parent in path.absolute().parents:
        if parent.exists():
            return parent
    return Path("/")


def check_writable(path: str | Path, what: str = "file") -> Path:
    """Fail before any work is done if `path` cannot become a file (or folder); creates nothing."""
    if not str(path).strip():  # before Path(): Path("") is ".", the current folder
        raise NNError(f"the output {what} path is empty; give a name")
    path = _usable(path)
    if what == "file" and path.is_dir():
        raise NNError(f"{_shown(path)} is a directory; give a file name inside it")
    if what == "folder" and path.exists() and not path.is_dir():
        raise NNError(f"{_shown(path)} is a file; give a folder")
    base = path if path.is_dir() else _existing_ancestor(path)
    if not base.is_dir():
        raise NNError(f"cannot create {_shown(path)}: {_shown(base)} is not a folder; choose another path")
    if not os.access(base, os.W_OK | os.X_OK):
        raise NNError(f"cannot write to {_shown(base)} (permission denied); choose another path")
    return path


def _make_parents(path: Path) -> list[Path]:
    """Create the missing folders above `path`; return them, outermost first, for undoing."""
    missing = [p for p in reversed(path.absolute().parents) if not p.exists()]
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        _remove_folders(missing)
        raise NNError(f"cannot create the folder for {_shown(path)} ({err.strerror}); choose another path") from err
    return missing


def missing(path: str | Path) -> list[Path]:
    """`path` and the folders above it that do not exist yet, outermost first: what a write will create."""
    path = Path(path).absolute()
    return [p for p in (*reversed(path.parents), path) if not p.exists()]


def remove(paths: list[Path], created: list[Path] = ()) -> None:
    """Undo a finished write when a later one fails: its files, then the folders it created (if empty)."""
    for path in paths:
        Path(path).unlink(missing_ok=True)
    _remove_folders(list(created))


def _remove_folders(created: list[Path]) -> None:
    for folder in reversed(created):
        with contextlib.suppress(OSError):  # not empty after all: someone else's file is in it
            folder.rmdir()


def write_atomic(path: str | Path, data: bytes | str) -> Path:
    """Write to a temporary file beside `path`, then rename: readers never see half a file, and a
    failed write leaves neither the file nor any folder it had to create."""
    path = check_writable(path)
    payload = data.encode() if isinstance(data, str) else data
    created = _make_parents(path)
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
        os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp makes files private; give the usual permissions
        os.replace(tmp, path)
    except BaseException as err:  # an interrupt too: leave nothing half-written behind
        if tmp:
            Path(tmp).unlink(missing_ok=True)
        _remove_folders(created)
        if isinstance(err, OSError):
            raise NNError(f"cannot write {_shown(path)} ({err.strerror}); choose another path") from err
        raise
    return path


def write_folder(folder: str | Path, contents: dict[str, bytes]) -> list[Path]:
    """Write several files into `folder` as one: a new folder is filled under a temporary name and
    renamed when complete; into an existing folder, files written before a failure are removed."""
    folder = check_writable(folder, "folder")
    if folder.is_dir():
        written: list[Path] = []
        try:
            for name, data in contents.items():
                written.append(write_atomic(folder / name, data))
        except BaseException:
            for path in written:
                path.unlink(missing_ok=True)
            raise
        return written
    created = _make_parents(folder)
    staging = None
    try:
        staging = Path(tempfile.mkdtemp(dir=folder.parent, prefix=f".{folder.name}."))
        for name, data in contents.items():
            (staging / name).write_bytes(data)
        os.chmod(staging, 0o777 & ~_UMASK)
        os.rename(staging, folder)
    except BaseException as err:
        if staging:
            shutil.rmtree(staging, ignore_errors=True)
        _remove_folders(created)
        if isinstance(err, OSError):
            raise NNError(f"cannot write the folder {_shown(folder)} ({err.strerror}); choose another path") from err
        raise
    return [folder / name for name in contents]
