"""History: the per-epoch record a user reads, saves as CSV and gets back from a checkpoint."""

import math

import pytest

import tinynet as tn


def test_append_and_log_step_keep_floats_in_order_per_key():
    history = tn.History()
    history.append(loss=2, accuracy=0.5)
    history.append(loss=1.5, accuracy=0.75)
    history.log_step(step=1, grad_norm=3)
    assert history["loss"] == [2.0, 1.5] and history["accuracy"] == [0.5, 0.75]
    assert all(type(v) is float for v in history["loss"])
    assert history.steps == {"step": [1.0], "grad_norm": [3.0]}
    assert type(history.steps["step"][0]) is float
    assert history.keys() == ["loss", "accuracy"] and len(history) == 2
    assert "loss" in history and "val_loss" not in history and "step" not in history


def test_constructor_copies_the_lists_it_is_given():
    loss = [1.0, 0.5]
    steps = [1.0]
    history = tn.History({"loss": loss}, {"step": steps})
    history.append(loss=0.25)
    history.log_step(step=2)
    assert loss == [1.0, 0.5] and steps == [1.0]
    assert history["loss"] == [1.0, 0.5, 0.25] and history.steps["step"] == [1.0, 2.0]
    assert history.interrupted is False and len(tn.History()) == 0


def test_a_missing_metric_is_named_with_the_ones_there_are():
    history = tn.History({"val_loss": [1.0], "loss": [2.0]})
    with pytest.raises(KeyError, match=r"no metric 'acc' in the history; "
                                       r"it has \['loss', 'val_loss'\]"):
        history["acc"]


def test_length_is_the_longest_metric():
    # val_loss is missing for an epoch that was not validated
    assert len(tn.History({"loss": [1.0, 2.0, 3.0], "val_loss": [1.0]})) == 3
    assert len(tn.History({"val_loss": [1.0], "loss": [1.0, 2.0, 3.0]})) == 3


def test_best_is_the_first_minimum_or_maximum_and_its_epoch_index():
    history = tn.History({"loss": [3.0, 1.0, 2.0, 1.0], "accuracy": [0.1, 0.9, 0.95, 0.2]})
    assert history.best("loss") == (1, 1.0)
    assert history.best("loss", mode="min") == (1, 1.0)
    assert history.best("accuracy", mode="max") == (2, 0.95)
    index, value = history.best("loss")
    assert type(index) is int and type(value) is float


def test_to_dict_writes_non_finite_as_none_and_from_dict_reads_it_back_as_nan():
    history = tn.History({"loss": [1.0, math.inf, math.nan, -math.inf]}, {"step": [1.0]})
    data = history.to_dict()
    assert data == {"metrics": {"loss": [1.0, None, None, None]}, "steps": {"step": [1.0]}}
    back = tn.History.from_dict(data)
    assert back["loss"][0] == 1.0 and all(math.isnan(x) for x in back["loss"][1:])
    assert back.steps == {"step": [1.0]}
    assert len(tn.History.from_dict({})) == 0 and tn.History.from_dict({}).steps == {}
    assert tn.History.from_dict({"metrics": {"loss": [0.5]}})["loss"] == [0.5]


def test_epoch_csv_counts_epochs_from_one_and_leaves_missing_cells_empty(tmp_path):
    history = tn.History({"loss": [2.0, 0.125], "val_loss": [3.5]})
    history.to_csv(tmp_path / "h.csv")
    assert (tmp_path / "h.csv").read_text().splitlines() == [
        "epoch,loss,val_loss", "1,2,3.5", "2,0.125,"]
    history.to_csv(tmp_path / "e.csv", table="epochs")
    assert (tmp_path / "e.csv").read_text() == (tmp_path / "h.csv").read_text()


def test_step_csv_has_no_epoch_column(tmp_path):
    history = tn.History({"loss": [1.0]}, {"step": [1.0, 2.0], "grad_norm": [0.5]})
    history.to_csv(tmp_path / "s.csv", table="steps")
    assert (tmp_path / "s.csv").read_text().splitlines() == [
        "step,grad_norm", "1,0.5", "2,"]
    tn.History().to_csv(tmp_path / "empty.csv", table="steps")
    assert (tmp_path / "empty.csv").read_text().splitlines() == [""]


def test_csv_cells_whole_numbers_as_integers_others_exactly():
    from tinynet.history import _cell

    assert _cell([3.0], 0) == 3 and type(_cell([3.0], 0)) is int
    assert _cell([0.1], 0) == "0.1"  # repr: every digit, reads back as the same float
    assert _cell([1 / 3], 0) == repr(1 / 3)
    assert _cell([2.0**53 - 1], 0) == 2**53 - 1
    # from 2**53 up a float no longer counts by ones: written as a float, not a false int
    assert _cell([2.0**53], 0) == repr(2.0**53) and _cell([-(2.0**53)], 0) == repr(-(2.0**53))
    assert _cell([math.nan], 0) == "nan" and _cell([math.inf], 0) == "inf"
    assert _cell([1.0], 1) == "" and _cell([], 0) == ""


def test_a_bad_table_name_is_an_error_and_writes_nothing(tmp_path):
    with pytest.raises(ValueError, match="table must be 'epochs' or 'steps', got 'step'"):
        tn.History({"loss": [1.0]}).to_csv(tmp_path / "h.csv", table="step")
    assert not (tmp_path / "h.csv").exists()


def test_csv_replaces_a_file_whole(tmp_path):
    path = tmp_path / "h.csv"
    path.write_text("an older, longer history\n" * 100)
    tn.History({"loss": [1.0]}).to_csv(path)
    assert path.read_text() == "epoch,loss\n1,1\n"
    assert [p.name for p in tmp_path.iterdir()] == ["h.csv"]  # no temporary left behind


def test_repr_shows_epochs_and_each_last_value():
    assert repr(tn.History()) == "History(0 epochs)"
    history = tn.History({"loss": [1.0, 0.123456], "val_loss": []})
    assert repr(history) == "History(2 epochs: loss=0.1235)"
    history.append(val_loss=2.5)
    assert repr(history) == "History(2 epochs: loss=0.1235, val_loss=2.5)"
