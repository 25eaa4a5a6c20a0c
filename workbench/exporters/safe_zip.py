"""Reading a zip from someone else safely: no path tricks, no symlinks, no zip bombs.

Nothing is extracted to disk: members are read into memory through :meth:`SafeZip.read`,
which stops at the size limit whatever the zip's headers claim. Opening refuses an archive
with an absolute path, a path that climbs out of the folder (``..``), a symbolic link, an
encrypted member, too many members, a member over the size limit, or a member whose
compression ratio only a zip bomb has.
"""

from __future__ import annotations

import re
import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path

from workbench.errors import InvalidInput

_DRIVE = re.compile(r"^[A-Za-z]:")


@dataclass(frozen=True)
class Limits:
    """How much an archive may hold.

    Attributes:
        max_entries: members in the archive.
        max_member_bytes: uncompressed size of one member that is read.
        max_total_bytes: uncompressed size of all members together.
        max_ratio: uncompressed / compressed size of a member larger than ``ratio_floor``.
        ratio_floor: members smaller than this are not checked for their ratio.
    """

    max_entries: int = 20_000
    max_member_bytes: int = 256 * 1024 * 1024
    max_total_bytes: int = 8 * 1024 * 1024 * 1024
    max_ratio: int = 200
    ratio_floor: int = 1024 * 1024


DEFAULT_LIMITS = Limits()


def _unsafe_name(name: str) -> str | None:
    """Why a member name is unsafe, or None."""
    if "\x00" in name:
        return "a NUL character in its name"
    if name.startswith(("/", "\\")) or _DRIVE.match(name):
        return "an absolute path"
    parts = re.split(r"[\\/]+", name)
    if ".." in parts:
        return "a path that leads out of the archive's folder ('..')"
    return None


class SafeZip:
    """A zip archive checked on opening; members are looked up without regard to letter case.

    Raises:
        InvalidInput: the file is not a zip, or it is unsafe (the message says why).
    """

    def __init__(self, path: str | Path, limits: Limits = DEFAULT_LIMITS):
        self.path = Path(path)
        self.limits = limits
        try:
            self._zip = zipfile.ZipFile(self.path)
        except (zipfile.BadZipFile, OSError) as exc:
            raise InvalidInput(f"{self.path}: not a readable zip archive ({exc}); a .qdpx file "
                               "is a zip holding project.qde.") from exc
        self._by_name: dict[str, zipfile.ZipInfo] = {}
        try:
            self._check()
        except BaseException:
            self._zip.close()
            raise

    def _refuse(self, why: str) -> InvalidInput:
        return InvalidInput(f"{self.path}: refused: {why}. The archive was not imported; "
                            "export it again from the program that made it.")

    def _check(self) -> None:
        infos = self._zip.infolist()
        if len(infos) > self.limits.max_entries:
            raise self._refuse(f"it holds {len(infos):,} files, more than the "
                               f"{self.limits.max_entries:,} allowed")
        total = 0
        for info in infos:
            why = _unsafe_name(info.filename)
            if why:
                raise self._refuse(f"member '{info.filename}' has {why}")
            mode = info.external_attr >> 16
            if stat.S_ISLNK(mode):
                raise self._refuse(f"member '{info.filename}' is a symbolic link")
            if info.flag_bits & 0x1:
                raise self._refuse(f"member '{info.filename}' is encrypted")
            total += info.file_size
            if info.file_size > self.limits.ratio_floor and (
                    info.file_size > self.limits.max_ratio * max(info.compress_size, 1)):
                ratio = info.file_size // max(info.compress_size, 1)
                raise self._refuse(f"member '{info.filename}' expands {ratio:,} times "
                                   "(a zip bomb)")
            if info.is_dir():
                continue
            key = self._key(info.filename)
            self._by_name.setdefault(key, info)
        if total > self.limits.max_total_bytes:
            raise self._refuse(f"its files expand to {total:,} bytes, more than the "
                               f"{self.limits.max_total_bytes:,} allowed")

    @staticmethod
    def _key(name: str) -> str:
        return re.sub(r"[\\/]+", "/", name).strip("/").casefold()

    def names(self) -> list[str]:
        """The member names (files only)."""
        return [info.filename for info in self._by_name.values()]

    def find(self, name: str) -> str | None:
        """The member called ``name`` in any letter case ('Sources/X.TXT'), or None."""
        info = self._by_name.get(self._key(name))
        return info.filename if info else None

    def read(self, name: str) -> bytes:
        """A member's bytes, never more than the size limit.

        Raises:
            InvalidInput: the member is missing or larger than the limit.
        """
        info = self._by_name.get(self._key(name))
        if info is None:
            raise InvalidInput(f"{self.path}: '{name}' is not in the archive.")
        limit = self.limits.max_member_bytes
        if info.file_size > limit:
            raise self._refuse(f"member '{info.filename}' is {info.file_size:,} bytes, more "
                               f"than the {limit:,} allowed")
        chunks, size = [], 0
        try:
            with self._zip.open(info) as handle:
                while chunk := handle.read(1024 * 1024):
                    size += len(chunk)
                    if size > limit:  # the header lied about the size
                        raise self._refuse(f"member '{info.filename}' expands beyond the "
                                           f"{limit:,} bytes allowed")
                    chunks.append(chunk)
        except (zipfile.BadZipFile, OSError, EOFError) as exc:
            raise InvalidInput(f"{self.path}: member '{info.filename}' is damaged ({exc}).") \
                from exc
        return b"".join(chunks)

    def close(self) -> None:
        """Close the archive."""
        self._zip.close()

    def __enter__(self) -> SafeZip:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
