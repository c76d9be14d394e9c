"""Training killed midway and resumed from its checkpoint ends where an uninterrupted run
ends: same weights, same evaluation, same losses after the resume point (same seed).

The kill is simulated by a callback that raises once a checkpoint exists, in the middle of
an epoch, so the resume has to restore the data order and the RNG state (dropout) too.
"""

from __future__ import annotations

import dataclasses
import json
import os

import pytest

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")

from test_model import SENTENCES, _gold, _tiny_bert  # noqa: E402

from arquote.io import write_jsonl  # noqa: E402
from arquote.train import TrainConfig, train  # noqa: E402

KILL_AT = 7  # checkpoints every 3 steps: resume from step 6, in the middle of epoch 2


class Killed(RuntimeError):
    pass


class KillAfter(transformers.TrainerCallback):
    """Raises at the end of step ``step`` (a stand-in for the process being killed)."""

    def __init__(self, step: int):
        self.step = step

    def on_step_end(self, args, state, control, **kwargs):
        if state.global_step == self.step:
            raise Killed(f"killed after step {self.step}")


class StepRecorder(transformers.TrainerCallback):
    def __init__(self):
        self.steps: list[int] = []

    def on_step_end(self, args, state, control, **kwargs):
        self.steps.append(state.global_step)


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # tiny model: the thread pool would cost more than the work
    root = tmp_path_factory.mktemp("resume")
    base = _tiny_bert(str(root / "base"))
    docs = [_gold(s) for s in SENTENCES]
    train_file = root / "train.jsonl"
    write_jsonl(train_file, docs * 4)  # 16 documents: 4 steps an epoch at batch size 4
    gold = root / "gold.jsonl"
    write_jsonl(gold, [dataclasses.replace(d, id=f"g{i}") for i, d in enumerate(docs)])

    def config(name: str, **overrides) -> TrainConfig:
        values = dict(base_model=base, output_dir=str(root / name), train_files=(str(train_file),),
                      gold_file=str(gold), eval_ids=("g1", "g3"), gold_repeat=0, max_length=32, overlap=8,
                      learning_rate=3e-3, epochs=3, batch_size=4, eval_batch_size=4, warmup_steps=0.2,
                      eval_steps=3, logging_steps=1, early_stopping_patience=0, save_total_limit=10,
                      seed=11)
        values.update(overrides)
        return TrainConfig(**values)

    yield config
    torch.set_num_threads(threads)


def _weights(model_dir: str) -> dict:
    from safetensors.torch import load_file

    return load_file(os.path.join(model_dir, "model.safetensors"))


def _losses(run_dir: str) -> dict[int, float]:
    """Training loss by step, from the last checkpoint's trainer state."""
    last = max((n for n in os.listdir(run_dir) if n.startswith("checkpoint-")), key=lambda n: int(n.split("-")[1]))
    with open(os.path.join(run_dir, last, "trainer_state.json"), encoding="utf-8") as handle:
        history = json.load(handle)["log_history"]
    return {h["step"]: h["loss"] for h in history if "loss" in h}


@pytest.mark.slow
def test_killed_and_resumed_training_ends_like_an_uninterrupted_run(setup):
    whole = train(setup("whole"))

    cut = setup("cut")
    with pytest.raises(Killed):
        train(cut, callbacks=[KillAfter(KILL_AT)])
    checkpoints = sorted(n for n in os.listdir(cut.output_dir) if n.startswith("checkpoint-"))
    assert checkpoints == ["checkpoint-3", "checkpoint-6"]
    assert not os.path.exists(os.path.join(cut.output_dir, "model"))
    steps = StepRecorder()
    resumed = train(cut.replace(resume=True), callbacks=[steps])
    assert steps.steps == list(range(7, 13))  # continued from checkpoint-6, not from scratch

    # the last checkpoint (end of training) and the saved model (the best checkpoint)
    whole_dir = os.path.dirname(whole["model_dir"])
    for a_dir, b_dir in [(os.path.join(whole_dir, "checkpoint-12"), os.path.join(cut.output_dir, "checkpoint-12")),
                         (whole["model_dir"], resumed["model_dir"])]:
        a, b = _weights(a_dir), _weights(b_dir)
        assert a.keys() == b.keys()
        for name in a:
            torch.testing.assert_close(a[name], b[name], rtol=1e-5, atol=1e-6, msg=name)
    for key, value in whole["seqeval"].items():
        if key.startswith("eval_") and "runtime" not in key and "per_second" not in key:
            assert resumed["seqeval"][key] == pytest.approx(value, rel=1e-6, abs=1e-9), key
    after_resume = {s: l for s, l in _losses(whole_dir).items() if s > 6}
    assert after_resume, "no losses were logged after the resume point"
    resumed_losses = _losses(cut.output_dir)
    for step, loss in after_resume.items():
        assert resumed_losses[step] == pytest.approx(loss, rel=1e-5), step


def test_resume_without_a_checkpoint_starts_afresh(setup):
    config = setup("fresh", resume=True, epochs=1, eval_steps=100)
    summary = train(config)
    assert os.path.isfile(os.path.join(summary["model_dir"], "model.safetensors"))
