"""Which files to scan: expand paths, skip what is not project code, and a cheap text prefilter.

Default skips: VCS folders, virtualenvs (``pyvenv.cfg``, ``.venv``, ``venv``, ``env``), ``node_modules``,
``__pycache__``, ``build``, ``dist``, ``.tox``, ``.nox``, ``site-packages`` and Django migration modules
(``migrations/0001_initial.py``; sub-packages of ``migrations`` such as saleor's
``migrations/tasks/`` hold real tasks and are kept). ``.gitignore`` files are honoured with a small
matcher covering the common patterns (``*``, ``**``, ``?``, ``[]``, ``!``, trailing ``/``, anchors).

The prefilter never drops a task-defining file: a first pass over the raw bytes of every file collects
the names of the project's own app objects, task-decorator helpers and Task subclasses, and a file is
parsed when it mentions Celery vocabulary *or* one of those names.
"""

from __future__ import annotations

import fnmatch
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

SKIP_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        ".venv",
        "venv",
        "env",
        "node_modules",
        "__pycache__",
        "build",
        "dist",
        ".tox",
        ".nox",
        "site-packages",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        ".eggs",
    }
)
_MIGRATION_MODULE = re.compile(r"^\d{4}_\w*\.py$")


class ScanInputError(Exception):
    """A path given to the scanner does not exist or cannot be scanned (one-line message)."""


# ---------------------------------------------------------------------------------------------- gitignore
def _glob_to_regex(pattern: str) -> str:
    """Translate one gitignore glob (without the leading ``/`` or trailing ``/``) to a regex."""
    out = []
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
            continue
        if pattern.startswith("/**", i) and i + 3 == len(pattern):
            out.append("/.*")
            i += 3
            continue
        if pattern.startswith("**", i):
            out.append(".*")
            i += 2
            continue
        if char == "*":
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        elif char == "[":
            end = pattern.find("]", i + 1)
            if end == -1:
                out.append(re.escape(char))
            else:
                body = pattern[i + 1 : end].replace("\\", "\\\\")
                if body.startswith("!"):
                    body = "^" + body[1:]
                out.append(f"[{body}]")
                i = end
        elif char == "\\" and i + 1 < len(pattern):
            i += 1
            out.append(re.escape(pattern[i]))
        else:
            out.append(re.escape(char))
        i += 1
    return "".join(out)


@dataclass
class _Rule:
    regex: re.Pattern[str]
    negated: bool
    dir_only: bool


@dataclass
class GitIgnore:
    """The rules of one ``.gitignore`` file, relative to its folder."""

    base: Path
    rules: list[_Rule] = field(default_factory=list)

    @classmethod
    def read(cls, path: Path) -> GitIgnore:
        ignore = cls(base=path.parent)
        try:
            lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            return ignore
        for raw in lines:
            line = raw.rstrip()
            if not line or line.startswith("#"):
                continue
            negated = line.startswith("!")
            if negated:
                line = line[1:]
            dir_only = line.endswith("/")
            line = line.rstrip("/")
            anchored = "/" in line
            line = line.lstrip("/")
            if not line:
                continue
            body = _glob_to_regex(line)
            regex = f"^{body}$" if anchored else f"^(?:.*/)?{body}$"
            ignore.rules.append(_Rule(re.compile(regex), negated, dir_only))
        return ignore

    def match(self, path: Path, is_dir: bool) -> bool | None:
        """True (ignored), False (re-included by ``!``) or None (no rule applies)."""
        try:
            relative = path.relative_to(self.base).as_posix()
        except ValueError:
            return None
        verdict = None
        for rule in self.rules:
            if rule.dir_only and not is_dir:
                continue
            if rule.regex.match(relative):
                verdict = not rule.negated
        return verdict


def _ignored(path: Path, is_dir: bool, ignores: Sequence[GitIgnore]) -> bool:
    verdict = None
    for ignore in ignores:
        result = ignore.match(path, is_dir)
        if result is not None:
            verdict = result
    return bool(verdict)


# ---------------------------------------------------------------------------------------------- walking
def _matches_any(relative: str, globs: Iterable[str]) -> bool:
    parts = relative.split("/")
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    for glob in globs:
        glob = glob.rstrip("/")
        if any(fnmatch.fnmatch(p, glob) for p in prefixes) or fnmatch.fnmatch(parts[-1], glob):
            return True
    return False


def default_root(paths: Sequence[Path]) -> Path:
    """The folder records are relative to: the directory given, or the common parent."""
    folders = [p if p.is_dir() else p.parent for p in paths]
    return Path(os.path.commonpath([str(f) for f in folders]))


def _skip_dir(entry: os.DirEntry[str]) -> bool:
    return entry.name in SKIP_DIRS or os.path.exists(os.path.join(entry.path, "pyvenv.cfg"))


def _is_migration_module(path: Path) -> bool:
    return path.parent.name == "migrations" and bool(_MIGRATION_MODULE.match(path.name))


def discover(
    paths: Sequence[str | os.PathLike[str]],
    *,
    root: str | os.PathLike[str] | None = None,
    exclude: Sequence[str] = (),
    include: Sequence[str] = (),
) -> tuple[Path, list[Path]]:
    """``(root, files)``: every Python file to consider, sorted, deduplicated.

    Raises :class:`ScanInputError` for a path that does not exist.
    """
    given = [Path(p) for p in paths] or [Path(".")]
    for path in given:
        if not path.exists():
            raise ScanInputError(f"no such file or directory: {path}")
    given = [p.resolve() for p in given]
    base = Path(root).resolve() if root is not None else default_root(given)
    found: set[Path] = set()
    for path in given:
        if path.is_file():
            if not _filtered(path, base, exclude, include):
                found.add(path)
            continue
        ignores = _parent_ignores(path)
        _walk(path, base, ignores, exclude, include, found)
    return base, sorted(found)


def _parent_ignores(folder: Path) -> list[GitIgnore]:
    """``.gitignore`` files of the folders above ``folder``, up to its git work tree (outermost first).

    Scanning a sub-folder of a repository still honours the repository's top-level ``.gitignore``.
    """
    chain = []
    current = folder
    while current.parent != current:
        if (current / ".git").exists():
            break
        current = current.parent
        candidate = current / ".gitignore"
        if candidate.is_file():
            chain.append(GitIgnore.read(candidate))
    if not (current / ".git").exists():
        return []  # not inside a git work tree: only the scanned folders' own .gitignore files count
    return list(reversed(chain))


def _relative(path: Path, base: Path) -> str:
    try:
        return path.relative_to(base).as_posix()
    except ValueError:
        return path.as_posix()


def _filtered(path: Path, base: Path, exclude: Sequence[str], include: Sequence[str]) -> bool:
    relative = _relative(path, base)
    if exclude and _matches_any(relative, exclude):
        return True
    return bool(include) and not _matches_any(relative, include)


def _walk(
    folder: Path,
    base: Path,
    ignores: list[GitIgnore],
    exclude: Sequence[str],
    include: Sequence[str],
    found: set[Path],
) -> None:
    gitignore = folder / ".gitignore"
    if gitignore.is_file():
        ignores = [*ignores, GitIgnore.read(gitignore)]
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError:
        return
    for entry in entries:
        path = Path(entry.path)
        if entry.is_dir(follow_symlinks=False):
            if _skip_dir(entry) or _ignored(path, True, ignores):
                continue
            if exclude and _matches_any(_relative(path, base), exclude):
                continue
            _walk(path, base, ignores, exclude, include, found)
        elif entry.name.endswith(".py") and entry.is_file():
            if _is_migration_module(path) or _ignored(path, False, ignores):
                continue
            if not _filtered(path, base, exclude, include):
                found.add(path)


# ---------------------------------------------------------------------------------------------- prefilter
# Celery vocabulary: a file containing any of it is scanned. As ``(literals, regex)`` checks: the regex
# (when any) runs only on files containing one of its literals, since `in` is memchr-fast while a
# regex alternation costs tens of ns a byte (26 MB of saleor).
_VOCABULARY: tuple[tuple[tuple[bytes, ...], re.Pattern[bytes] | None], ...] = (
    (
        (
            b"Celery(",
            b"shared_task",
            b".delay(",
            b".apply_async(",
            b".s(",
            b".si(",
            b".signature(",
            b"AsyncResult",
            b"crontab",
            b"beat_schedule",
            b"add_periodic_task",
            b"send_task",
        ),
        None,
    ),
    ((b"celery",), re.compile(rb"^[ \t]*(?:from|import)[ \t]+celery\b", re.M)),  # bare names need this
    (
        (b"CELERY", b"BROKER_", b"ENABLE_UTC"),  # settings assignments
        re.compile(rb"^[ \t]*(?:CELERY\w*|BROKER_\w+|ENABLE_UTC)[ \t]*(?::[^=\n]*)?=(?!=)", re.M),
    ),
    ((b".task",), re.compile(rb"\.task\b")),
    # Task.apply() (eager runs, mostly in tests) as Celery spells its arguments: ``apply()``,
    # ``apply((x,))``, ``apply(args=...)``; not pandas' ``df.apply(func)``/``.apply(lambda ...)``
    ((b".apply(",), re.compile(rb"\.apply\(\s*(?:\)|[(\[]|(?:args|kwargs|task_id)\s*=)")),
    ((b"task",), re.compile(rb"@[ \t]*\w*task")),
)
_CELERY_IMPORT = re.compile(rb"^[ \t]*(?:from|import)[ \t]+celery\b", re.M)
_APP_ASSIGN = re.compile(rb"^[ \t]*(\w+)[ \t]*(?::[^=\n]*)?=[ \t]*(?:\w+\.)*Celery\(", re.M)
_TASK_ALIAS = re.compile(rb"^(\w+)[ \t]*=[ \t]*[\w.]*(?:\.task|shared_task)\b", re.M)
_APP_ATTRIBUTES = (
    rb"task|conf|control|register_task|Task|on_after_\w+|on_configure|autodiscover_tasks|config_from_object"
    rb"|events|backend|tasks|signature|send_task|AsyncResult|add_periodic_task|steps|loader"
)
# app.config_from_object("proj.config"): that module's lowercase settings count even if it never says celery
_CONFIG_FROM_OBJECT = re.compile(rb"config_from_object\(\s*(?:obj\s*=\s*)?[rbu]?['\"]([\w.]+)(?::\w+)?['\"]")
# class-based configs, config_from_object("pkg.mod:Config" | "pkg.mod.Config") or (Config): the file that
# defines the class is kept, and so is its body (statement pruning matches the project pattern)
_CONFIG_CLASS = re.compile(
    rb"config_from_object\(\s*(?:obj\s*=\s*)?(?:[rbu]?['\"][\w.]*[.:]([A-Z]\w*)['\"]|(?:\w+\.)*([A-Z]\w*)\s*[,)])"
)
_TOP_LEVEL_LINE = re.compile(rb"^[^\s)#\]]", re.M)
_TOP_DEF = re.compile(rb"^(?:async[ \t]+)?def[ \t]+(\w+)", re.M)
_CLASS = re.compile(rb"^[ \t]*class[ \t]+(\w+)[ \t]*\(([^)]*)\)", re.M)


@dataclass
class Prefilter:
    """Decides from raw bytes whether a file can involve Celery (see the module docstring)."""

    names: set[bytes] = field(default_factory=set)
    # files loaded with config_from_object("pkg.mod"): "pkg/mod.py" and "pkg/mod/__init__.py"
    config_paths: frozenset[str] = frozenset()
    _project: re.Pattern[bytes] | None = None
    # _project's alternatives one by one, each with literals one of which its every match contains:
    # a top-level alternation defeats the regex engine's literal-prefix scan, and `in` is memchr-fast
    _checks: list[tuple[tuple[bytes, ...], re.Pattern[bytes]]] = field(default_factory=list)

    @classmethod
    def from_sources(cls, sources: Iterable[bytes]) -> Prefilter:
        sources = list(sources)
        names: set[bytes] = set()
        apps: set[bytes] = set()
        seeds: set[bytes] = set()
        class_bases: list[tuple[bytes, bytes]] = []
        config_modules: set[str] = set()
        config_classes: set[bytes] = set()
        for data in sources:
            if b"config_from_object" in data:
                config_modules.update(m.decode("ascii", "replace") for m in _CONFIG_FROM_OBJECT.findall(data))
                config_classes.update(name for pair in _CONFIG_CLASS.findall(data) for name in pair if name)
            if b"Celery(" in data:
                apps.update(_APP_ASSIGN.findall(data))
            if b"shared_task" in data or b".task" in data:
                names.update(_TASK_ALIAS.findall(data))
                names.update(_helper_names(data))
            if b"class" in data:
                classes = _CLASS.findall(data)
                class_bases.extend(classes)
                # a `Task` base is Celery's only in a file that imports celery (else a Django model...)
                if _CELERY_IMPORT.search(data):
                    seeds.update(name for name, bases in classes if re.search(rb"Task\b", bases))
                seeds.update(name for name, bases in classes if re.search(rb"\w\.Task\b", bases))
        # re-exports of the names found so far: `from .celery import app as celery_app`
        for found in (apps, names):
            if found:
                alias = re.compile(rb"\b(?:" + b"|".join(sorted(found)) + rb")[ \t]+as[ \t]+(\w+)")
                for data in sources:
                    found.update(alias.findall(data))
        task_classes = seeds
        for _ in range(5):
            more = {
                name
                for name, bases in class_bases
                if name not in task_classes
                and any(re.search(rb"\b" + t + rb"\b", bases) for t in task_classes)
            }
            if not more:
                break
            task_classes |= more
        config_paths = frozenset(
            path
            for module in config_modules
            for path in (module.replace(".", "/") + ".py", module.replace(".", "/") + "/__init__.py")
        )
        prefilter = cls(names=names | task_classes, config_paths=config_paths)
        alternatives: list[tuple[tuple[bytes, ...], bytes]] = []
        if apps:
            # an app object only matters through its Celery attributes (app.conf, app.control, ...)
            app_names = b"|".join(sorted(apps))
            alternatives.append(
                (
                    tuple(name + b"." for name in sorted(apps)),
                    rb"\b(?:" + app_names + rb")\.(?:" + _APP_ATTRIBUTES + rb")\b",
                )
            )
            # imports (re-exports) of an app name: the project pass needs them to follow the alias
            alternatives.append(
                ((b"import",), rb"import[ \t]+(?:\([\w\s,]*?|[\w \t,]*?)\b(?:" + app_names + rb")\b")
            )
        if config_classes:
            alternatives.append(
                (
                    tuple(sorted(config_classes)),
                    rb"\bclass[ \t]+(?:" + b"|".join(sorted(config_classes)) + rb")\b",
                )
            )
        plain = (names - apps) | task_classes
        if plain:
            alternatives.append((tuple(sorted(plain)), rb"\b(?:" + b"|".join(sorted(plain)) + rb")\b"))
        if alternatives:
            prefilter._project = re.compile(b"|".join(pattern for _, pattern in alternatives))
            prefilter._checks = [(literals, re.compile(pattern)) for literals, pattern in alternatives]
        return prefilter

    @property
    def project_pattern(self) -> str | None:
        """The project-names regex as text (for statement-level filtering in worker processes)."""
        return self._project.pattern.decode("latin-1") if self._project is not None else None

    def wants(self, data: bytes, relative: str = "") -> bool:
        if "celery" in relative.lower():
            return True
        if relative and any(relative == p or relative.endswith("/" + p) for p in self.config_paths):
            return True
        return any(
            any(word in data for word in literals) and (pattern is None or pattern.search(data) is not None)
            for literals, pattern in (*_VOCABULARY, *self._checks)
        )


def _helper_names(data: bytes) -> set[bytes]:
    """Top-level functions whose body builds a task decorator (``return shared_task(...)``)."""
    found = set()
    for match in _TOP_DEF.finditer(data):
        following = _TOP_LEVEL_LINE.search(data, match.end())
        body = data[match.end() : following.start() if following else len(data)]
        if (b"shared_task" in body or b".task(" in body) and b"return" in body:
            found.add(match.group(1))
    return found
