"""Per-user lesson progress in ``<data_dir>/progress.json``: locked, merged, replaced atomically.

Saving takes an exclusive lock (``flock`` on ``.progress.json.lock`` beside the file), reads the
file again, merges this process's changes into what is there, writes a temporary file in the
same folder, fsyncs it and renames it over the old one. So two gradtui processes of one learner
(two terminals, a lesson and a listing) never lose each other's saves, and a kill at any moment
leaves the old or the new file, never half of one.

The merge is three-way: the store remembers each lesson as it last read or wrote it (the base),
adds what this process counted since then (hints, skips, seconds, failed checks...) to what is on
disk, and keeps the furthest position within one attempt. A single writer gets exactly what it
saved.

A save that cannot happen (a full disk, an unwritable file) raises ``ProgressSaveError`` whose
message says why and what happens next; the lesson runner shows it to the learner. A file that
cannot be read is reported and moved aside as ``progress.json.corrupt-<timestamp>``, never fatal.

The file is also read by the teacher's ``gradtui lab progress``, where the learner may have put
anything in it: every field is type- and range-checked, and the file itself is read with
``gradtui.untrusted.read_regular_file`` (regular files only, no symlinks, size-capped).

Format history: version 1 had one attempt's counters only; version 2 adds ``attempts``,
``completions``, ``first_completion`` and per-step records (``steps``). Version 1 files are read
(migrated in memory) and written back as version 2 at the next save.
"""

from __future__ import annotations

import copy
import errno
import fcntl
import json
import math
import os
import stat
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from gradtui.untrusted import UnsafeFileError, read_regular_file

FILE_NAME = "progress.json"
LOCK_NAME = f".{FILE_NAME}.lock"
FORMAT_VERSION = 2
STALE_TEMP_S = 600  # a write takes milliseconds: older temp files were left by a killed writer
LOCK_TIMEOUT_S = 10.0  # another process holding the lock longer than this is stuck

# Bounds for reading a file someone else may have written (the teacher reads the class's).
MAX_FILE_BYTES = 4 << 20  # 4 MiB: a whole course's records take a few hundred KB at most
MAX_COUNT = 10**9
MAX_ID_CHARS = 200
MAX_TITLE_CHARS = 10_000
MAX_STEPS = 10_000
MAX_LABELS_PER_STEP = 100


class ProgressSaveError(OSError):
    """Progress could not be written. ``reason`` says why in a few words ("the disk is full
    (/path)"); ``message`` is the sentence for the learner, including what happens next."""

    def __init__(self, code: int, reason: str) -> None:
        self.reason = reason
        self.message = (f"Your progress was not saved: {reason}. It is kept while gradtui "
                        "runs and saved at your next step once that is fixed.")
        super().__init__(code, self.message)


@dataclass
class StepRecord:
    """What happened on one step, over every attempt (for the teacher's ``--by-step`` view)."""

    seconds: float = 0.0  # active time: gaps between the learner's actions are capped
    cells: int = 0  # cells judged on this step
    hints: int = 0
    solutions: int = 0  # times the solution was shown
    skips: int = 0
    passes: int = 0  # times it was passed (not skipped)
    fails: dict[str, int] = field(default_factory=dict)  # check label -> times it failed


@dataclass
class Completion:
    """The first time a lesson was completed, and the help it took."""

    at: str  # ISO-8601, UTC
    hints_used: int = 0
    skips: int = 0
    solutions_shown: int = 0


_ATTEMPT_COUNTERS = ("hints_used", "skips", "solutions_shown")
_STEP_COUNTERS = ("cells", "hints", "solutions", "skips", "passes")


@dataclass
class LessonProgress:
    """Where a learner is in one lesson (the lab's progress table reads these fields).

    ``current_step`` .. ``solutions_shown`` describe the current attempt (a restart starts them
    over); ``attempts``, ``completions``, ``first_completion`` and ``steps`` are the lesson's
    record, kept across restarts.
    """

    lesson_id: str
    title: str
    steps_total: int
    steps_done: int = 0
    current_step: int = 0  # 0-based; equals steps_total once completed
    hints_used: int = 0
    skips: int = 0
    completed: bool = False
    last_active: str = ""  # ISO-8601, UTC
    solutions_shown: int = 0
    attempts: int = 1  # 1 + the number of restarts
    completions: int = 0
    first_completion: Completion | None = None
    steps: list[StepRecord] = field(default_factory=list)

    def touch(self) -> None:
        self.last_active = _now()

    @property
    def ever_completed(self) -> bool:
        return self.first_completion is not None or self.completed

    def step_record(self, index: int) -> StepRecord:
        """The record of step ``index`` (0-based), created on first use."""
        while len(self.steps) <= index:
            self.steps.append(StepRecord())
        return self.steps[index]

    def mark_completed(self) -> None:
        """The current attempt reached the end: count it, and keep the first completion."""
        self.completed = True
        self.completions += 1
        if self.first_completion is None:
            self.first_completion = Completion(_now(), self.hints_used, self.skips,
                                               self.solutions_shown)

    def restart(self) -> None:
        """A new attempt from step 1; the lesson's record (completions, steps) is kept.

        Restarting an attempt in which nothing happened yet does not count as another one."""
        if self.steps_done or self.completed or any(getattr(self, n) for n in _ATTEMPT_COUNTERS):
            self.attempts += 1
        self.steps_done = self.current_step = 0
        self.hints_used = self.skips = self.solutions_shown = 0
        self.completed = False

    def reshape(self, steps_total: int) -> None:
        """The lesson file now has another number of steps: old positions mean nothing, so a
        new attempt starts with fresh step records; completions are kept."""
        self.restart()
        self.steps_total = steps_total
        self.steps = []

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @staticmethod
    def from_json(data: Any, *, version: int = FORMAT_VERSION) -> LessonProgress:
        """Validate every field (type and range); raises ValueError naming the first bad one.

        Unknown fields are ignored (a newer gradtui may add some). A version 1 entry gets the
        record fields a version 2 file would have: one attempt, and a completion if completed.
        """
        if not isinstance(data, dict):
            raise ValueError(f"a lesson entry must be an object, not {_kind(data)}")
        get = _Fields(data)
        progress = LessonProgress(
            lesson_id=get.text("lesson_id", MAX_ID_CHARS, required=True),
            title=get.text("title", MAX_TITLE_CHARS),
            steps_total=get.count("steps_total", required=True),
            steps_done=get.count("steps_done"),
            current_step=get.count("current_step"),
            hints_used=get.count("hints_used"),
            skips=get.count("skips"),
            completed=get.flag("completed"),
            last_active=get.timestamp("last_active"),
            solutions_shown=get.count("solutions_shown"),
        )
        for name in ("current_step", "steps_done"):
            if getattr(progress, name) > progress.steps_total:
                raise ValueError(f"`{name}` is past `steps_total` ({progress.steps_total})")
        if version < 2:
            progress.completions = int(progress.completed)
            if progress.completed:  # as of the last save: version 1 kept no more
                progress.first_completion = Completion(
                    progress.last_active, progress.hints_used, progress.skips,
                    progress.solutions_shown)
            return progress
        progress.attempts = max(1, get.count("attempts", default=1))
        progress.completions = get.count("completions")
        progress.first_completion = _completion_from_json(data.get("first_completion"))
        progress.steps = _steps_from_json(data.get("steps", []))
        return progress


class ProgressStore:
    """Reads and writes ``progress.json`` in ``data_dir``; ``problem`` reports a set-aside file.

    ``read_only=True`` is for onlookers such as the teacher's progress report: an unreadable file
    is reported in ``problem`` but left where it is (the learner's own gradtui sets it aside and
    tells the learner). ``root``: a trusted folder above ``data_dir``; no symlink between it and
    the file is followed (the teacher reads ``<learners>/<name>/data`` this way).
    """

    def __init__(self, data_dir: Path, *, read_only: bool = False,
                 root: Path | None = None) -> None:
        self.data_dir = Path(data_dir)
        self.path = self.data_dir / FILE_NAME
        self.read_only = read_only
        self.root = root
        self.problem: str | None = None
        self._newer_version: int | None = None
        # Each lesson as this store last read or wrote it: the base of the three-way merge.
        self._seen: dict[str, LessonProgress] = {}

    def load(self) -> dict[str, LessonProgress]:
        """Every lesson's progress; a corrupt file is set aside (see ``problem``), {} returned."""
        lessons = self._read()
        self._seen = copy.deepcopy(lessons)
        return lessons

    def get(self, lesson_id: str) -> LessonProgress | None:
        return self.load().get(lesson_id)

    def save(self, progress: LessonProgress) -> None:
        """Merge one lesson's progress into the file (others are kept), atomically.

        ``progress`` is updated in place to the merged result (what another process of the
        same learner added is included). Raises ``ProgressSaveError`` saying why it failed.
        """
        if self.read_only:
            raise PermissionError(f"{self.path} was opened read-only")
        progress.touch()
        try:
            with self._locked():
                everything = self._read(for_update=True)
                self._refuse_newer()
                merged = merge(everything.get(progress.lesson_id), progress,
                               self._seen.get(progress.lesson_id))
                everything[progress.lesson_id] = merged
                self._write(everything)
        except ProgressSaveError:
            raise
        except OSError as exc:
            raise ProgressSaveError(exc.errno or errno.EIO, self._save_failure(exc)) from exc
        self._seen[progress.lesson_id] = copy.deepcopy(merged)
        for f in fields(LessonProgress):
            setattr(progress, f.name, copy.deepcopy(getattr(merged, f.name)))

    def forget(self, lesson_id: str) -> None:
        try:
            with self._locked():
                everything = self._read(for_update=True)
                self._refuse_newer()
                if everything.pop(lesson_id, None) is not None:
                    self._write(everything)
        except ProgressSaveError:
            raise
        except OSError as exc:
            raise ProgressSaveError(exc.errno or errno.EIO, self._save_failure(exc)) from exc
        self._seen.pop(lesson_id, None)

    # --- reading -----------------------------------------------------------------------------

    def _read(self, *, for_update: bool = False) -> dict[str, LessonProgress]:
        """The file's lessons. Unreadable content is set aside; a failing read is reported
        (``for_update``: raised, so a save never writes over lessons it could not read)."""
        try:
            raw = read_regular_file(self.path, max_bytes=MAX_FILE_BYTES, root=self.root)
        except FileNotFoundError:
            return {}
        except UnsafeFileError as exc:
            self._set_aside(exc.strerror or str(exc))
            return {}
        except OSError as exc:
            if for_update:
                raise
            self.problem = f"cannot read {self.path}: {exc.strerror or exc}"
            return {}
        try:
            return self._parse(raw)
        except (ValueError, RecursionError) as exc:  # RecursionError: JSON nested 10^5 deep
            self._set_aside(str(exc) if isinstance(exc, ValueError) else "nested too deeply")
            return {}

    def _parse(self, raw: bytes) -> dict[str, LessonProgress]:
        data = json.loads(raw.decode("utf-8"))
        if not isinstance(data, dict):
            raise ValueError(f"the file holds {_kind(data)}, not an object")
        version = data.get("version", 1)
        if not isinstance(version, int) or isinstance(version, bool) or version < 1:
            raise ValueError(f"`version` must be a positive integer, not {version!r}")
        self._newer_version = version if version > FORMAT_VERSION else None
        lessons = data.get("lessons")
        if not isinstance(lessons, dict):
            raise ValueError("`lessons` is missing or not an object")
        result: dict[str, LessonProgress] = {}
        for key, value in lessons.items():
            try:
                entry = LessonProgress.from_json(value, version=version)
            except ValueError as exc:
                raise ValueError(f"lesson {key!r}: {exc}") from None
            if entry.lesson_id != key:
                raise ValueError(f"lesson {key!r} has lesson_id {entry.lesson_id!r}")
            result[key] = entry
        return result

    def _set_aside(self, reason: str) -> None:
        if self.read_only:
            self.problem = f"unreadable: {reason} ({self.path})"
            return
        stamp = time.strftime("%Y%m%d-%H%M%S")
        target = self.path.with_name(f"{FILE_NAME}.corrupt-{stamp}")
        try:
            os.replace(self.path, target)  # renames a symlink or FIFO itself, follows nothing
            where = f"moved to {target}"
        except OSError as exc:
            where = f"could not be moved aside ({exc.strerror or exc})"
        self.problem = (f"your progress file {self.path} was unreadable ({reason}); it was "
                        f"{where} and progress starts empty")

    def _refuse_newer(self) -> None:
        if self._newer_version is not None:
            raise ProgressSaveError(
                errno.EPROTO,
                f"{self.path} was written by a newer gradtui (format {self._newer_version}, "
                f"this one writes {FORMAT_VERSION}) and saving would lose what it recorded; "
                "use that newer gradtui")

    # --- writing -----------------------------------------------------------------------------

    @contextmanager
    def _locked(self) -> Iterator[None]:
        """Hold the exclusive lock on ``.progress.json.lock`` (waits up to LOCK_TIMEOUT_S)."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        flags = (os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
                 | os.O_NOCTTY)
        fd = os.open(self.data_dir / LOCK_NAME, flags, 0o600)
        try:
            if not _is_regular(fd):
                raise ProgressSaveError(errno.EINVAL,
                                        f"{self.data_dir / LOCK_NAME} is not a plain file")
            deadline = time.monotonic() + LOCK_TIMEOUT_S
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise ProgressSaveError(
                            errno.EAGAIN,
                            f"another gradtui has held {self.data_dir / LOCK_NAME} for "
                            f"{LOCK_TIMEOUT_S:.0f} s") from None
                    time.sleep(0.005)
            yield
        finally:
            os.close(fd)  # closing releases the lock

    def _write(self, everything: dict[str, LessonProgress]) -> None:
        payload = {"version": FORMAT_VERSION,
                   "lessons": {key: value.to_json() for key, value in sorted(everything.items())}}
        write_atomically(self.path, json.dumps(payload, indent=1) + "\n")
        self._remove_stale_temp_files()

    def _remove_stale_temp_files(self) -> None:
        now = time.time()
        for temp in self.data_dir.glob(f".{FILE_NAME}.*.tmp"):
            try:
                if now - temp.lstat().st_mtime > STALE_TEMP_S:
                    temp.unlink()
            except OSError:
                continue  # another process's cleanup got there first

    def _save_failure(self, exc: OSError) -> str:
        why = {
            errno.ENOSPC: "the disk is full",
            errno.EDQUOT: "you are over your disk quota",
            errno.EACCES: "no permission to write there",
            errno.EPERM: "no permission to write there",
            errno.EROFS: "the disk is read-only",
            errno.EFBIG: "a file size limit was reached",
        }.get(exc.errno or 0, exc.strerror or str(exc))
        return f"{why} ({self.data_dir})"


def merge(disk: LessonProgress | None, mine: LessonProgress,
          base: LessonProgress | None) -> LessonProgress:
    """This process's ``mine`` merged into ``disk``, given the ``base`` it started from.

    Counts add up (disk + what ``mine`` added since ``base``); within one attempt the further
    position wins; a restart (more attempts than the base) brings its fresh attempt; the first
    completion is the earliest. With ``disk == base`` (one writer) the result equals ``mine``.
    """
    if disk is None:
        return copy.deepcopy(mine)
    if disk.steps_total != mine.steps_total:
        # The lesson changed shape in between: positions and step records cannot be combined.
        merged = copy.deepcopy(mine)
        merged.first_completion = _earliest(disk.first_completion, mine.first_completion)
        return merged
    if base is None or base.steps_total != mine.steps_total:
        base = LessonProgress(mine.lesson_id, mine.title, mine.steps_total)
    merged = copy.deepcopy(disk)
    merged.title = mine.title
    merged.last_active = max(disk.last_active, mine.last_active)
    merged.attempts = _add(disk.attempts, mine.attempts, base.attempts)
    merged.completions = _add(disk.completions, mine.completions, base.completions)
    merged.first_completion = copy.deepcopy(_earliest(disk.first_completion,
                                                      mine.first_completion))
    if mine.attempts > base.attempts:
        # A restart here: its fresh attempt replaces the one another process may be in.
        for name in ("current_step", "steps_done", "completed", *_ATTEMPT_COUNTERS):
            setattr(merged, name, getattr(mine, name))
    elif disk.attempts == base.attempts:
        # The same attempt in both: the furthest position, the counts added up.
        merged.current_step = max(disk.current_step, mine.current_step)
        merged.steps_done = max(disk.steps_done, mine.steps_done)
        merged.completed = disk.completed or mine.completed
        for name in _ATTEMPT_COUNTERS:
            setattr(merged, name, _add(getattr(disk, name), getattr(mine, name),
                                       getattr(base, name)))
    # else: another process restarted the lesson; its fresh attempt (copied above) stands.
    merged.steps = [
        _merge_step(_at(disk.steps, i), _at(mine.steps, i), _at(base.steps, i))
        for i in range(max(len(disk.steps), len(mine.steps)))
    ]
    return merged


def _merge_step(disk: StepRecord, mine: StepRecord, base: StepRecord) -> StepRecord:
    merged = StepRecord(seconds=round(max(0.0, disk.seconds + mine.seconds - base.seconds), 3))
    for name in _STEP_COUNTERS:
        setattr(merged, name, _add(getattr(disk, name), getattr(mine, name), getattr(base, name)))
    for label in dict.fromkeys([*disk.fails, *mine.fails]):
        count = _add(disk.fails.get(label, 0), mine.fails.get(label, 0), base.fails.get(label, 0))
        if count:
            merged.fails[label] = count
    return merged


def _add(disk: int, mine: int, base: int) -> int:
    return max(0, disk + mine - base)


def _at(records: list[StepRecord], index: int) -> StepRecord:
    return records[index] if index < len(records) else StepRecord()


def _earliest(a: Completion | None, b: Completion | None) -> Completion | None:
    if a is None or b is None:
        return a or b
    return a if (a.at or "~") <= (b.at or "~") else b


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _is_regular(fd: int) -> bool:
    return stat.S_ISREG(os.fstat(fd).st_mode)


def _kind(value: Any) -> str:
    return {dict: "an object", list: "an array", str: "a string", bool: "a boolean",
            int: "a number", float: "a number", type(None): "null"}.get(type(value), "a value")


class _Fields:
    """Typed, range-checked reads of one JSON object's fields (ValueError names the field)."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data

    def _value(self, name: str, required: bool) -> Any:
        if name not in self.data and required:
            raise ValueError(f"`{name}` is missing")
        return self.data.get(name)

    def count(self, name: str, *, required: bool = False, default: int = 0) -> int:
        value = self._value(name, required)
        if value is None and not required:
            return default
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_COUNT:
            raise ValueError(f"`{name}` must be a whole number from 0 to {MAX_COUNT}, "
                             f"not {_kind(value)}")
        return value

    def text(self, name: str, limit: int, *, required: bool = False) -> str:
        value = self._value(name, required)
        if value is None and not required:
            return ""
        if not isinstance(value, str):
            raise ValueError(f"`{name}` must be a string, not {_kind(value)}")
        if len(value) > limit:
            raise ValueError(f"`{name}` is {len(value):,} characters long (at most {limit:,})")
        return value

    def flag(self, name: str) -> bool:
        value = self.data.get(name, False)
        if not isinstance(value, bool):
            raise ValueError(f"`{name}` must be true or false, not {_kind(value)}")
        return value

    def timestamp(self, name: str) -> str:
        value = self.text(name, 64)
        if value:
            try:
                datetime.fromisoformat(value)
            except ValueError:
                raise ValueError(f"`{name}` must be an ISO-8601 time, not {value!r}") from None
        return value

    def seconds(self, name: str) -> float:
        value = self.data.get(name, 0.0)
        if (not isinstance(value, int | float) or isinstance(value, bool)
                or not math.isfinite(value) or not 0 <= value <= MAX_COUNT):
            raise ValueError(f"`{name}` must be a number of seconds, not {_kind(value)}")
        return float(value)


def _completion_from_json(data: Any) -> Completion | None:
    if data is None:
        return None
    if not isinstance(data, dict):
        raise ValueError(f"`first_completion` must be an object or null, not {_kind(data)}")
    get = _Fields(data)
    return Completion(at=get.timestamp("at"), hints_used=get.count("hints_used"),
                      skips=get.count("skips"), solutions_shown=get.count("solutions_shown"))


def _steps_from_json(data: Any) -> list[StepRecord]:
    if not isinstance(data, list) or len(data) > MAX_STEPS:
        raise ValueError(f"`steps` must be an array of at most {MAX_STEPS} records")
    records = []
    for number, item in enumerate(data, start=1):
        if not isinstance(item, dict):
            raise ValueError(f"steps[{number}] must be an object, not {_kind(item)}")
        get = _Fields(item)
        try:
            record = StepRecord(seconds=get.seconds("seconds"),
                                **{name: get.count(name) for name in _STEP_COUNTERS})
            fails = item.get("fails", {})
            if not isinstance(fails, dict) or len(fails) > MAX_LABELS_PER_STEP:
                raise ValueError(f"`fails` must be an object of at most {MAX_LABELS_PER_STEP} "
                                 "checks")
            for label in fails:
                if len(label) > MAX_ID_CHARS:
                    raise ValueError(f"a check label is longer than {MAX_ID_CHARS} characters")
            record.fails = {label: _Fields(fails).count(label) for label in fails}
        except ValueError as exc:
            raise ValueError(f"steps[{number}]: {exc}") from None
        records.append(record)
    return records


def write_atomically(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` so that readers see the old or the new file, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    try:  # make the rename itself durable
        dir_fd = os.open(path.parent, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
