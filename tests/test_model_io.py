"""Saving and loading models: .npz, no pickle, clear errors."""

import zipfile

import numpy as np
import pytest

import tinynet as tn
from tinynet.files import json_array


def test_round_trip_gives_identical_predictions(tmp_path, rng):
    model = tn.Sequential([tn.Dense(4, 6, rng=rng), tn.LeakyReLU(0.1), tn.Dense(6, 5, rng=rng),
                           tn.Tanh(), tn.Dense(5, 3, rng=rng)])
    X = rng.standard_normal((7, 4))
    path = tmp_path / "m.npz"
    model.save(path)
    loaded = tn.Sequential.load(path)
    assert [type(x) for x in loaded.layers] == [type(x) for x in model.layers]
    assert loaded.layers[1].alpha == 0.1
    assert np.array_equal(loaded.forward(X), model.forward(X))
    assert np.array_equal(loaded.predict(X), model.predict(X))
    np.testing.assert_allclose(loaded.predict_proba(X).sum(axis=1), 1.0)


def test_round_trip_float32_and_heads(tmp_path):
    for head, n_out in (("sigmoid", 1), ("identity", 2)):
        model = tn.mlp([3, 4, n_out], dtype=np.float32, head=head)
        model.save(tmp_path / "m.npz")
        loaded = tn.Sequential.load(tmp_path / "m.npz")
        assert loaded.dtype == np.float32 and loaded.head == head
        assert all(np.array_equal(a, b) for a, b in zip(loaded.arrays().values(),
                                                         model.arrays().values()))


def test_saved_file_is_plain_npz_without_pickle(tmp_path):
    tn.mlp([2, 3, 2]).save(tmp_path / "m.npz")
    with np.load(tmp_path / "m.npz", allow_pickle=False) as data:
        assert {"W/1", "b/1", "W/2", "b/2", "config", "format"} <= set(data.files)


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="no_such.npz"):
        tn.Sequential.load(tmp_path / "no_such.npz")


@pytest.mark.parametrize("content, fragment", [
    (b"hello, not a model", "not an .npz archive"),
    (b"PK\x03\x04 truncated zip", "truncated or corrupt"),
])
def test_not_a_model_file(tmp_path, content, fragment):
    path = tmp_path / "bad.npz"
    path.write_bytes(content)
    with pytest.raises(ValueError, match=fragment):
        tn.Sequential.load(path)


def test_other_npz_and_object_arrays_and_truncation(tmp_path):
    np.savez(tmp_path / "other.npz", a=np.arange(3))
    with pytest.raises(ValueError, match="not a tinynet model file"):
        tn.Sequential.load(tmp_path / "other.npz")
    np.savez(tmp_path / "obj.npz", a=np.array([{"x": 1}], dtype=object))
    with pytest.raises(ValueError, match="object arrays"):
        tn.Sequential.load(tmp_path / "obj.npz")
    tn.mlp([2, 3, 2]).save(tmp_path / "m.npz")
    data = (tmp_path / "m.npz").read_bytes()
    (tmp_path / "cut.npz").write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match="cut.npz"):
        tn.Sequential.load(tmp_path / "cut.npz")
    assert zipfile.is_zipfile(tmp_path / "m.npz")


def test_weights_that_do_not_fit_the_architecture(tmp_path):
    model = tn.mlp([2, 3, 2])
    arrays = {"format": np.array("tinynet-model"), "version": np.array(1),
              "config": json_array(model.config()), **model.arrays()}
    arrays["W/2"] = np.zeros((4, 2))
    np.savez(tmp_path / "m.npz", **arrays)
    with pytest.raises(ValueError, match=r"'W/2' have shape \(4, 2\).*needs \(3, 2\)"):
        tn.Sequential.load(tmp_path / "m.npz")


def test_save_to_missing_folder_is_clear(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        tn.mlp([2, 2]).save(tmp_path / "nope" / "m.npz")


def test_file_records_format_and_version(tmp_path):
    tn.mlp([2, 3, 2]).save(tmp_path / "m.npz")
    with np.load(tmp_path / "m.npz", allow_pickle=False) as data:
        assert str(data["format"]) == "tinynet-model" and int(data["version"]) == 1


def test_malformed_config_names_the_file_and_the_entry(tmp_path):
    model = tn.mlp([2, 3, 2])
    np.savez(tmp_path / "m.npz", format=np.array("tinynet-model"), version=np.array(1),
             config=np.array("{not json"), **model.arrays())
    with pytest.raises(ValueError, match=r"m.npz: entry 'config' is not valid"):
        tn.Sequential.load(tmp_path / "m.npz")
    np.savez(tmp_path / "m.npz", format=np.array("tinynet-model"), version=np.array(1),
             config=json_array({"layers": [{"type": "Conv2D"}], "dtype": "float64"}))
    with pytest.raises(ValueError, match=r"m.npz: unknown layer class 'Conv2D': import the "
                       r"module that defines it before loading \(--import FILE on the command "
                       r"line\)$"):
        tn.Sequential.load(tmp_path / "m.npz")
    np.savez(tmp_path / "m.npz", format=np.array("tinynet-model"), version=np.array(1),
             config=json_array({"layers": [{"kind": "Dense"}], "dtype": "float64"}))
    with pytest.raises(ValueError, match=r"m.npz: the saved architecture is invalid \(KeyError"):
        tn.Sequential.load(tmp_path / "m.npz")


def test_load_weights_names_both_architectures(tmp_path):
    tn.mlp([2, 3, 2]).save(tmp_path / "m.npz")
    with pytest.raises(ValueError, match=r"saved \[Dense\(2,3\) ReLU Dense\(3,2\)\] float64, "
                                         r"this model \[Dense\(2,4\) Tanh Dense\(4,2\)\] float64"):
        tn.mlp([2, 4, 2], activation="tanh").load_weights(tmp_path / "m.npz")


def test_parameters_and_gradients_each_live_in_one_buffer(rng):
    # W1, b1, W2, b2 are views of one array (so are dW1, db1, ...): an element-wise
    # optimizer then updates all of them in one call.
    model = tn.mlp([3, 4, 2], seed=0)
    loss = tn.SoftmaxCrossEntropy()
    loss.forward(model.forward(rng.standard_normal((5, 3))), [0, 1, 1, 0, 1])
    model.backward(loss.backward())
    for names in (("W", "b"), ("dW", "db")):
        arrays = [getattr(d, n) for d in model.dense_layers for n in names]
        base = arrays[0].base
        assert base is not None and base.size == model.n_params()
        assert all(a.base is base for a in arrays)


def test_check_input_converts_to_the_model_dtype():
    model = tn.mlp([2, 3, 2], dtype=np.float32)
    assert model.check_input(np.ones((1, 2))).dtype == np.float32
    assert model.check_input([[1, 2]]).dtype == np.float32


def test_reprs_show_the_architecture():
    model = tn.Sequential([tn.Dense(2, 3, init="xavier"), tn.LeakyReLU(0.2), tn.Dense(3, 1)])
    assert repr(model) == ("Sequential([\n    Dense(n_in=2, n_out=3, init='xavier'),\n"
                           "    LeakyReLU(alpha=0.2),\n    Dense(n_in=3, n_out=1, init='he'),\n"
                           "], head='sigmoid')")
    trainer = tn.Trainer(model, tn.BinaryCrossEntropy(), tn.optimizers.SGD(lr=0.5),
                         batch_size=7, seed=3)
    assert repr(trainer) == ("Trainer(Sequential, BinaryCrossEntropy(), SGD(lr=0.5, "
                             "weight_decay=0.0), batch_size=7, seed=3, epoch=0)")


@pytest.mark.parametrize("activation, init", [("relu", "he"), ("leaky_relu", "he"),
                                              ("tanh", "xavier"), ("sigmoid", "xavier")])
def test_mlp_picks_the_init_for_its_activation(activation, init):
    model = tn.mlp([3, 4, 2], activation=activation)
    assert [d.init for d in model.dense_layers] == [init, init]
    assert tn.mlp([3, 4, 2], activation=activation, init="normal").dense_layers[1].init == "normal"


def test_mlp_is_seeded_with_zero_by_default_and_checks_its_sizes():
    assert np.array_equal(tn.mlp([3, 4, 2]).dense_layers[0].W,
                          tn.mlp([3, 4, 2], seed=0).dense_layers[0].W)
    assert not np.array_equal(tn.mlp([3, 4, 2]).dense_layers[0].W,
                              tn.mlp([3, 4, 2], seed=1).dense_layers[0].W)
    with pytest.raises(ValueError, match=r"sizes\[1\] must be >= 1"):
        tn.mlp([3, 0, 2])
    with pytest.raises(ValueError, match="seed must be >= 0"):
        tn.mlp([3, 2], seed=-1)
    with pytest.raises(ValueError, match="sizes must list at least an input and an output"):
        tn.mlp({3, 2})


def test_sequential_takes_a_list_or_tuple_and_keeps_its_own_list():
    layers = [tn.Dense(2, 3), tn.ReLU(), tn.Dense(3, 2)]
    model = tn.Sequential(layers)
    layers.append(tn.ReLU())
    assert len(model.layers) == 3
    assert len(tn.Sequential(tuple(layers[:3])).layers) == 3
    with pytest.raises(ValueError, match="non-empty list of layers"):
        tn.Sequential([])
    with pytest.raises(ValueError, match="non-empty list of layers"):
        tn.Sequential(x for x in layers)


def test_from_arrays_without_a_path_says_arrays():
    model = tn.mlp([2, 3, 2])
    with pytest.raises(ValueError, match=r"^<arrays>: missing weights 'W/1'"):
        tn.Sequential.from_arrays(model.config(), {})


@pytest.mark.parametrize("field", ["n_in", "n_out"])
def test_a_saved_layer_width_below_1_is_named(tmp_path, field):
    import json

    model = tn.mlp([2, 3, 2])
    config = model.config()
    config["layers"][0][field] = 0
    np.savez(tmp_path / "m.npz", format=np.array("tinynet-model"), version=np.array(1),
             config=np.array(json.dumps(config)), **model.arrays())
    with pytest.raises(ValueError, match=rf"layer 1's {field} must be >= 1, got 0"):
        tn.Sequential.load(tmp_path / "m.npz")
