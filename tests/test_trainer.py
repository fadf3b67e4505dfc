import math
import threading

import numpy as np
import pytest
import torch

from playground.core.config import Config, ConfigError, apply_overrides
from playground.core.base.control import RunControl
from playground.core.training.model import EnsembleMLP, init_layer
from playground.core.experiments.assembly import build_trainer
from playground.core.training.trainer import COMPLETED, STOPPED_BY_USER


def small(*overrides, epochs=3):
    base = ["train.epochs=%d" % epochs, "train.batch_size=256", "network.hidden=[10, 7, 5]"]
    return apply_overrides(Config(), base + list(overrides))


def run_all(trainer):
    return [r for r in trainer.epochs()]


@pytest.mark.parametrize("overrides", [
    ["task.name=ib", "network.init=truncnormal"],
    ["task.name=parity", "task.n=8", "train.loss=hinge", "train.optimizer=sgd", "train.lr=0.05",
     "train.momentum=0.9", "train.steps_per_epoch=5", "train.batch_size=32"],
    ["task.name=spiral", "task.random_labels=0.2", "network.init=meanfield", "network.sw2=1.5", "network.sb2=0.05",
     "train.weight_decay=0.001", "train.batch_size=16"],
])
def test_ensemble_member_equals_a_single_run_with_its_seed(overrides):
    """Proves the vectorisation: member k of an ensemble is the network a single run with
    seed + k trains (same init, split, labels, batches), to float tolerance."""
    ensemble = build_trainer(small(*overrides, "train.seed=10", "train.ensemble=3"))
    records = run_all(ensemble)
    for k in (0, 2):
        single = build_trainer(small(*overrides, f"train.seed={10 + k}", "train.ensemble=1"))
        single_records = run_all(single)
        for a, b in zip(records, single_records):
            np.testing.assert_allclose(a.test_loss[k], b.test_loss[0], rtol=1e-4, atol=1e-6)
            np.testing.assert_allclose(a.train_acc[k], b.train_acc[0], atol=1e-6)
        for wa, wb in zip(ensemble.weights(), single.weights()):
            np.testing.assert_allclose(wa[k], wb[0], rtol=1e-4, atol=1e-5)


def test_same_config_and_seed_give_identical_metrics():
    first = run_all(build_trainer(small("train.ensemble=2")))
    second = run_all(build_trainer(small("train.ensemble=2")))
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a.test_loss, b.test_loss)
        np.testing.assert_array_equal(a.batch_loss, b.batch_loss)


def test_different_seeds_differ():
    a = run_all(build_trainer(small("train.seed=1")))[-1]
    b = run_all(build_trainer(small("train.seed=2")))[-1]
    assert a.test_loss[0] != b.test_loss[0]


def test_training_reduces_the_loss_on_an_easy_task():
    trainer = build_trainer(apply_overrides(Config(), [
        "task.name=gauss", "network.hidden=[8]", "train.lr=0.05", "train.epochs=30", "train.batch_size=32"]))
    records = run_all(trainer)
    assert records[-1].test_acc[0] > 0.95
    assert records[-1].train_loss[0] < records[0].train_loss[0]
    assert trainer.stop_reason == COMPLETED and records[-1].stop_reason == COMPLETED


def test_diverging_run_stops_with_a_reason_not_a_crash():
    trainer = build_trainer(apply_overrides(Config(), [
        "task.name=gauss", "task.random_labels=0.5", "network.hidden=[32, 32, 32]", "network.activation=linear", "train.optimizer=sgd",
        "train.lr=50", "train.epochs=200", "network.init=kaiming"]))
    records = run_all(trainer)
    assert trainer.stop_reason.startswith("diverged")
    assert "learning rate" in trainer.stop_reason
    assert len(records) < 200


def test_learning_rate_change_reaches_the_optimizer_at_the_next_step():
    trainer = build_trainer(small("train.lr=0.001"))
    trainer.run_epoch()
    trainer.set_optimizer_params(lr=0.05, weight_decay=0.01)
    assert trainer.optimizer.param_groups[0]["lr"] == 0.001  # not before the next step
    trainer.run_epoch()
    assert trainer.optimizer.param_groups[0]["lr"] == 0.05
    assert trainer.optimizer.param_groups[0]["weight_decay"] == 0.01
    assert trainer.config.train.lr == 0.05
    with pytest.raises(ConfigError):
        trainer.set_optimizer_params(batch_size=3)


def test_stop_between_steps_ends_the_generator():
    trainer = build_trainer(small(epochs=1000))
    control = RunControl()
    seen = []
    for record in trainer.epochs(control):
        seen.append(record.epoch)
        if record.epoch == 4:
            control.stop()
    assert seen == [1, 2, 3, 4]
    assert trainer.stop_reason == STOPPED_BY_USER


def test_pause_blocks_until_resume():
    trainer = build_trainer(small(epochs=1000))
    control = RunControl()
    control.pause()
    done = threading.Event()

    def train_one():
        trainer.run_epoch(control)
        done.set()

    thread = threading.Thread(target=train_one)
    thread.start()
    assert not done.wait(0.3)
    assert trainer.step_count == 0
    control.resume()
    assert done.wait(10)
    thread.join()
    assert trainer.epoch == 1


def test_steps_per_epoch_and_batches_cover_the_training_set():
    trainer = build_trainer(small("train.batch_size=1000"))
    trainer.run_epoch()
    assert trainer.step_count == math.ceil(3277 / 1000)
    trainer = build_trainer(small("train.steps_per_epoch=3"))
    trainer.run_epoch()
    assert trainer.step_count == 3


def test_hinge_loss_equals_the_formula():
    trainer = build_trainer(apply_overrides(Config(), ["task.name=parity", "train.loss=hinge", "network.hidden=[4]"]))
    output = torch.tensor([[[2.0], [-0.5], [0.25]]])
    y = torch.tensor([[1, 1, 0]])
    # targets +1, +1, -1: max(0, 1 - t f) = 0, 1.5, 1.25
    assert trainer.loss_per_member(output, y).item() == pytest.approx((0 + 1.5 + 1.25) / 3)


def test_cuda_on_a_machine_without_gpu_is_a_clear_error():
    if torch.cuda.is_available():
        pytest.skip("this machine has a GPU")
    with pytest.raises(ConfigError, match="train.device: 'cuda'"):
        build_trainer(small("train.device=cuda"))


def test_initialisation_schemes_have_their_variances():
    gen = torch.Generator().manual_seed(0)
    fan_in, fan_out = 400, 300
    w, b = init_layer("meanfield", fan_in, fan_out, gen, sw2=2.0, sb2=0.5)
    assert w.var().item() == pytest.approx(2.0 / fan_in, rel=0.05)
    assert b.var().item() == pytest.approx(0.5, rel=0.3)
    w, b = init_layer("truncnormal", fan_in, fan_out, gen)
    assert w.abs().max().item() <= 2 / math.sqrt(fan_in) + 1e-7
    assert torch.all(b == 0)
    # N(0,1) truncated at +-2 has variance 0.7737
    assert w.var().item() * fan_in == pytest.approx(0.7737, rel=0.05)
    w, _ = init_layer("kaiming", fan_in, fan_out, gen)
    assert w.var().item() == pytest.approx(2.0 / fan_in, rel=0.05)
    w, _ = init_layer("xavier", fan_in, fan_out, gen)
    assert w.var().item() == pytest.approx(2.0 / (fan_in + fan_out), rel=0.05)
    w, b = init_layer("default", fan_in, fan_out, gen)
    assert w.abs().max().item() <= 1 / math.sqrt(fan_in)
    assert w.var().item() == pytest.approx(1 / (3 * fan_in), rel=0.05)


def test_model_forward_matches_a_plain_loop():
    model = EnsembleMLP([3, 4, 2], ["tanh"], seeds=[0, 1])
    x = torch.randn(2, 5, 3)
    out, kept = model(x, keep_activations=True)
    for e in range(2):
        h = torch.tanh(x[e] @ model.weights[0][e] + model.biases[0][e])
        torch.testing.assert_close(kept[0][e], h)
        torch.testing.assert_close(out[e], h @ model.weights[1][e] + model.biases[1][e])


def test_per_layer_activations_are_used():
    trainer = build_trainer(small("network.layer_activations=[relu, tanh, linear]"))
    acts = trainer.layer_activations()
    assert (acts[0] >= 0).all()  # relu
    assert (acts[1].abs() <= 1).all()  # tanh
    assert (acts[2] < 0).any()  # linear, so negative values survive
    probs = acts[-1]
    torch.testing.assert_close(probs.sum(-1), torch.ones(probs.shape[:2]))


def test_same_seed_gives_identical_probe_tables():
    def tables():
        trainer = build_trainer(small("probes.enabled=true", "train.ensemble=2", epochs=4))
        collected = {}
        for record in trainer.epochs():
            for name, table in record.tables.items():
                for column, values in table.items():
                    collected.setdefault((name, column), []).extend(np.asarray(values).tolist())
        return collected

    first, second = tables(), tables()
    assert ("info_plane", "i_xt") in first and ("layer_stats", "snr") in first
    assert first == second
