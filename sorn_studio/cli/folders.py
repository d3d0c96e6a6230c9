"""The ``--out`` folder of a command that writes several files."""

from __future__ import annotations

from pathlib import Path

from sorn_studio.atomic import check_writable

__all__ = ["check_out_folder"]


def check_out_folder(out: Path) -> None:
    """Make the ``--out`` folder and check it can be written, before the work runs (not
    after hours of it).

    Raises
    ------
    ValueError
        Naming ``--out`` and the reason: it is a file, it cannot be made or written.
    """
    if out.exists() and not out.is_dir():
        raise ValueError(f"--out {out}: is a file; give a folder for the results")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ValueError(f"--out {out}: cannot make the folder ({exc.strerror})") from None
    try:
        check_writable(out / "results", "results")
    except OSError as exc:
        raise ValueError(f"--out: {exc.args[-1]}") from None
