"""The ``branches`` item of a session: the tree of branches a studio run had.

Each branch is saved with its parent, the step it left it, how far it went, its whole change
log and the digest of the run at its end (:meth:`~sorn_studio.engine.Snapshot.digest`), so that
``replay`` can re-run every branch from step 0 and check that it ends exactly where it ended.
The item is untrusted input like the rest of a file: :func:`tree_from_json` checks every field
and refuses what a studio run cannot have written, naming the branch and the field.
"""

from __future__ import annotations

import re
from typing import Any

from ..engine.snapshot import SnapshotError, check_change_log
from ..recording import MAX_STEPS
from ..studio.branches import MAX_BRANCHES, Branch, BranchTree

__all__ = ["BRANCHES_VERSION", "tree_to_json", "tree_from_json", "BranchTreeError"]

#: Version of the item's layout.
BRANCHES_VERSION = 1
#: Longest note a branch may carry (the studio writes one change's description).
MAX_NOTE = 1000
_DIGEST = re.compile(r"[0-9a-f]{64}")
_FIELDS = {"id", "parent", "fork_step", "tip_step", "log", "note", "digest"}


class BranchTreeError(ValueError):
    """The ``branches`` item is not a tree a studio run could have saved."""


def tree_to_json(tree: BranchTree) -> dict[str, Any]:
    """The item's JSON value for ``tree``."""
    return {
        "version": BRANCHES_VERSION,
        "current": tree.current,
        "branches": [{"id": b.id, "parent": b.parent, "fork_step": b.fork_step,
                      "tip_step": b.tip_step, "log": [list(e) for e in b.log],
                      "note": b.note, "digest": b.digest} for b in tree.branches],
    }


def _whole(branch: int | str, name: str, value: Any, most: int = MAX_STEPS) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= most:
        raise BranchTreeError(f"branch {branch}: {name!r} = {value!r} must be a whole number "
                              f"in [0, {most}]")
    return value


def _branch(data: Any, seen: dict[int, Branch], position: int) -> Branch:
    if not isinstance(data, dict) or set(data) != _FIELDS:
        raise BranchTreeError(f"branch entry {position} must be an object with exactly the "
                              f"fields {', '.join(sorted(_FIELDS))}")
    number = _whole(position, "id", data["id"], MAX_BRANCHES * 2**20)
    if number in seen:
        raise BranchTreeError(f"branch {number} is listed twice")
    parent = data["parent"]
    if position == 0:
        if parent is not None:
            raise BranchTreeError(f"branch {number}, the first, must have parent null")
    elif (isinstance(parent, bool) or not isinstance(parent, int) or parent not in seen
          or parent >= number):
        raise BranchTreeError(f"branch {number}: parent {parent!r} must be a branch listed "
                              "before it, with a smaller number")
    fork = _whole(number, "fork_step", data["fork_step"])
    tip = _whole(number, "tip_step", data["tip_step"])
    if tip < fork:
        raise BranchTreeError(f"branch {number}: tip_step {tip} comes before fork_step {fork}")
    if parent is not None and fork > seen[parent].tip_step:
        raise BranchTreeError(f"branch {number}: fork_step {fork} lies beyond the tip of its "
                              f"parent {parent} (step {seen[parent].tip_step})")
    try:
        log = check_change_log(data["log"], tip)
    except SnapshotError as exc:
        raise BranchTreeError(f"branch {number}: its log {exc.problem}") from None
    note, digest = data["note"], data["digest"]
    if not isinstance(note, str) or len(note) > MAX_NOTE:
        raise BranchTreeError(f"branch {number}: 'note' must be a text of at most {MAX_NOTE} "
                              "characters")
    if digest is not None and (not isinstance(digest, str) or not _DIGEST.fullmatch(digest)):
        raise BranchTreeError(f"branch {number}: 'digest' must be null or 64 hex digits")
    return Branch(number, parent, fork, tip, tuple((int(c.step), c.name, c.old, c.new)
                                                   for c in log), note, digest)


def tree_from_json(data: Any, steps: int, change_log: tuple) -> BranchTree:
    """Check the item's JSON value and return the tree it describes.

    Parameters
    ----------
    data : Any
        The parsed item.
    steps : int
        Step of the saved run.
    change_log : tuple
        The saved run's change log: the current branch's log must start with it, and its tip
        lie at or after ``steps``.

    Raises
    ------
    BranchTreeError
        Naming the branch and the field at fault.
    """
    if not isinstance(data, dict) or set(data) != {"version", "current", "branches"}:
        raise BranchTreeError("must be an object with the fields version, current, branches")
    if data["version"] != BRANCHES_VERSION or isinstance(data["version"], bool):
        raise BranchTreeError(f"has version {data['version']!r}; this version reads "
                              f"{BRANCHES_VERSION}")
    entries = data["branches"]
    if not isinstance(entries, list) or not 1 <= len(entries) <= MAX_BRANCHES:
        raise BranchTreeError(f"'branches' must be a list of 1 to {MAX_BRANCHES} branches")
    seen: dict[int, Branch] = {}
    for position, entry in enumerate(entries):
        branch = _branch(entry, seen, position)
        seen[branch.id] = branch
    current = data["current"]
    if isinstance(current, bool) or current not in seen:
        raise BranchTreeError(f"'current' = {current!r} is not one of the branches "
                              f"{sorted(seen)}")
    branch = seen[current]
    saved = tuple((int(c[0]), c[1], c[2], c[3]) for c in change_log)
    if not branch.holds(steps, saved):
        raise BranchTreeError(f"the current branch {current} does not pass through the saved "
                              f"run (its log does not start with the run's change log, has a "
                              f"change before step {steps} the run did not make, or it ends "
                              f"before step {steps})")
    return BranchTree(current, tuple(seen.values()))
