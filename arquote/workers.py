"""One extractor per worker process, loaded on first use and kept.

Distributed engines (Spark executors, ``datasets`` worker processes) call a function over
many small batches. Loading a model for each batch would dominate the run, and an
extractor object is a poor thing to ship to workers (a model weighs hundreds of MB when
pickled). So the helpers in :mod:`arquote.spark` and :mod:`arquote.hf` send the engine's
*name or path* and every process loads it once through :func:`get_extractor`.

Set the environment variable ``ARQUOTE_LOAD_LOG`` to a directory to check this on a
cluster: every load then writes one small file there, named after the process.

Example:
    >>> ext = get_extractor("rules")
    >>> ext is get_extractor("rules")
    True
    >>> [q.speaker.name for q in ext("قال الوزير إن «الوضع مستقر تماما»").quotes]
    ['الوزير']
"""

from __future__ import annotations

import json
import os
import threading
from typing import Any, Mapping

from .extractor import Extractor, load

__all__ = ["LOAD_LOG_ENV", "engine_key", "get_extractor", "clear", "fork_guard"]

#: Environment variable naming a directory where each load leaves a file (diagnostics).
LOAD_LOG_ENV = "ARQUOTE_LOAD_LOG"

_CACHE: dict[tuple, Extractor] = {}
_LOCK = threading.Lock()
_LOADS = 0  # loads in this process so far; names the log files
_FORKED = False  # this process is a fork of one that had imported arquote.workers


def _after_fork_in_child() -> None:
    global _FORKED
    _FORKED = True


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


def fork_guard() -> None:
    """Makes torch safe to use in a process forked from one that already ran it.

    torch's CPU thread pool (GNU OpenMP) does not survive ``fork``: the first parallel
    region in the child hangs or dies. ``datasets.map(num_proc=…)`` forks its workers from
    the user's process, which has often run a model already. As PyTorch's own ``DataLoader``
    workers do, a forked worker runs torch with one thread (the workers share the cores).
    A no-op in processes that were not forked, and when torch is not in use.
    """
    global _FORKED
    if _FORKED:
        import sys

        torch = sys.modules.get("torch")
        if torch is not None:
            torch.set_num_threads(1)
        _FORKED = False


def engine_key(engine: str | os.PathLike[str] | None, kwargs: Mapping[str, Any] | None = None) -> tuple:
    """The cache key of an engine: its name or absolute path, and its load options.

    Raises:
        TypeError: when ``engine`` is not ``None``, a name or a path (an already loaded
            :class:`~arquote.extractor.Extractor` cannot be shipped to other processes
            cheaply: pass the name or model directory instead).
    """
    if isinstance(engine, Extractor):
        raise TypeError(
            f"pass the engine's name or model directory (\"rules\", \"path/to/model\", or None for "
            f"the default model), not a loaded {type(engine).__name__}: every worker process loads "
            "it once itself, which is much cheaper than pickling a model to each of them"
        )
    if engine is not None and not isinstance(engine, (str, os.PathLike)):
        raise TypeError(f"engine must be None, \"rules\" or a model directory, got {type(engine).__name__}")
    name = None if engine is None else os.fspath(engine)
    if name is not None and name != "rules" and os.path.isdir(name):
        name = os.path.abspath(name)
    options = tuple(sorted((k, repr(v)) for k, v in (kwargs or {}).items()))
    return (name, options)


def get_extractor(engine: str | os.PathLike[str] | None, **kwargs: Any) -> Extractor:
    """The extractor for ``engine`` in this process, loaded by :func:`arquote.load` at the
    first call and returned from a cache afterwards.

    Args:
        engine: ``None`` (the default model), ``"rules"`` or a model directory.
        **kwargs: Passed to :func:`arquote.load`; part of the cache key.

    Raises:
        TypeError: see :func:`engine_key`.
        ModelNotAvailableError: when the model cannot be loaded here.
    """
    global _LOADS
    fork_guard()
    key = engine_key(engine, kwargs)
    ext = _CACHE.get(key)
    if ext is not None:
        return ext
    with _LOCK:
        ext = _CACHE.get(key)
        if ext is None:
            ext = load(key[0], **kwargs)
            _CACHE[key] = ext
            _LOADS += 1
            _log_load(key, _LOADS)
    return ext


def clear() -> None:
    """Forgets every cached extractor of this process (their memory is freed when unused)."""
    with _LOCK:
        _CACHE.clear()


def _log_load(key: tuple, n: int) -> None:
    folder = os.environ.get(LOAD_LOG_ENV)
    if not folder:
        return
    os.makedirs(folder, exist_ok=True)
    # One new file per load: processes never write to the same file, so no locking.
    pid = os.getpid()
    with open(os.path.join(folder, f"load-{pid}-{n}.json"), "w", encoding="utf-8") as handle:
        json.dump({"pid": pid, "engine": key[0], "options": list(key[1])}, handle, ensure_ascii=False)
