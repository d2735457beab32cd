"""Which CSV column is the label, and what task its values mean: said, never guessed
silently (csvlabels.py, data/README.md). Through the API here; through the command line
in test_cli_habits.py."""

import re

import numpy as np
import pytest

import tinynet as tn
from tinynet.csvdata import read_csv


def write(tmp_path, text, name="d.csv"):
    path = tmp_path / name
    path.write_text(text)
    return path


def refused(path, fragment, **options):
    """read_csv and datasets.load both refuse, in one line that names the file."""
    for read in (read_csv, tn.datasets.load):
        with pytest.raises(ValueError) as err:
            read(path, **options)
        message = str(err.value)
        assert "\n" not in message and message.startswith(str(path)), message
        assert fragment in message, message
    return message


# ----- 1. the label column ------------------------------------------------------------------

@pytest.mark.parametrize("name", ["label", "Target", "CLASS", "y"])
def test_a_column_named_like_a_label_is_the_label_wherever_it_is(tmp_path, name):
    d = read_csv(write(tmp_path, f"{name},x1,x2\nb,1,2\na,3,4\nb,5,6\n"))
    assert d.label_name == name and d.feature_names == ["x1", "x2"]
    assert d.classes == ["a", "b"] and d.y.tolist() == [1, 0, 1]
    np.testing.assert_array_equal(d.X, [[1, 2], [3, 4], [5, 6]])
    assert d.summary == f"label {name!r} (its name): 2 classes: a, b (text values)"


def test_a_file_without_a_label_name_is_refused_with_its_columns_and_the_fix(tmp_path):
    # the file: label first and misspelled; it used to train on x2 (the last column)
    path = write(tmp_path, "lable,x1,x2\n0,0.5,1.5\n1,2.5,0.25\n0,1.5,3.5\n1,0.5,2.5\n")
    message = refused(path, "which column is the label? None is named label, target, class "
                      "or y (columns: lable, x1, x2)")
    assert message.endswith('choose it with --label NAME on the command line, label="NAME" '
                            'in Python')
    d = read_csv(path, label="lable")
    assert (d.label_name, d.feature_names, d.y.tolist()) == ("lable", ["x1", "x2"], [0, 1, 0, 1])
    assert d.summary.startswith("label 'lable' (chosen): 2 classes: 0, 1 (integer values")
    split = tn.datasets.load(path, test_size=0.5, label="lable")
    assert split.label_summary == d.summary and split[0].shape == (2, 2)


def test_a_chosen_label_that_is_not_a_column_is_refused_with_the_closest_name(tmp_path):
    path = write(tmp_path, "lable,x1,x2\n0,1,2\n1,3,4\n")
    refused(path, "no column named 'label'; did you mean 'lable'? (columns: lable, x1, x2)",
            label="label")
    refused(path, "no column named 'zzz' (columns: lable, x1, x2)", label="zzz")
    assert read_csv(path, label="LABLE").label_name == "lable"  # case is forgiven when unique
    assert read_csv(path, label=" x1 ").label_name == "x1"
    for bad in ("", 3):
        with pytest.raises(TypeError, match="label must be a column name"):
            read_csv(path, label=bad)


def test_two_columns_that_could_each_be_the_label_are_refused(tmp_path):
    path = write(tmp_path, "x,y,label\n1,2,0\n3,4,1\n")  # y: a coordinate, or the label?
    refused(path, "'y' and 'label' could each be the label; choose it with --label NAME")
    assert read_csv(path, label="label").feature_names == ["x", "y"]


def test_two_columns_whose_names_differ_only_in_case_need_an_exact_choice(tmp_path):
    path = write(tmp_path, "Label,label,x\n1,0,5\n0,1,6\n")
    refused(path, "'Label' and 'label' could each be the label")
    assert read_csv(path, label="label").feature_names == ["Label", "x"]
    refused(path, "no column named 'LABEL'", label="LABEL")  # ambiguous ignoring case


# ----- 2. the task --------------------------------------------------------------------------

def labels_file(tmp_path, labels):
    rows = "".join(f"{i},{v}\n" for i, v in enumerate(labels))
    return write(tmp_path, "x,label\n" + rows)


@pytest.mark.parametrize("k, shown", [(5, ": 0, 1, 2, 3, 4"), (6, "")])
def test_the_summary_names_up_to_five_classes(tmp_path, k, shown):
    d = read_csv(labels_file(tmp_path, list(range(k)) * 2))
    assert d.summary.startswith(f"label 'label' (its name): {k} classes{shown} (integer values")


def test_integer_labels_are_classes_and_the_summary_says_how_to_override(tmp_path):
    d = read_csv(labels_file(tmp_path, [3, 7, 3, 5]))
    assert d.task == "classification" and d.classes == [3, 5, 7] and d.y.tolist() == [0, 2, 0, 1]
    assert d.summary == ("label 'label' (its name): 3 classes: 3, 5, 7 (integer values; "
                         "--task regression if they are quantities)")
    d = read_csv(labels_file(tmp_path, [3, 7, 3, 5]), task="regression")
    assert d.task == "regression" and d.y.tolist() == [3.0, 7.0, 3.0, 5.0]
    assert d.y.dtype == np.float64 and d.summary.endswith("regression (--task/task= given)")


def test_one_stray_fraction_among_integer_labels_is_refused_with_its_line(tmp_path):
    labels = [0, 1] * 5 + [0.5, 1]
    path = labels_file(tmp_path, labels)
    message = refused(path, ", line 12: label 0.5 in column 'label' is not an integer, unlike "
                      "11 of the 12 labels: fix it, or give the task: --task regression")
    assert "--task classification if each value is a class" in message
    d = read_csv(path, task="regression")
    assert d.task == "regression" and d.y.tolist() == [float(v) for v in labels]
    d = read_csv(path, task="classification")
    assert d.classes == [0.0, 0.5, 1.0] and d.y.tolist() == [0, 2] * 5 + [1, 2]
    assert d.summary.endswith(": 3 classes: 0.0, 0.5, 1.0 (--task/task= given)")


def test_real_valued_labels_are_a_regression_and_say_so(tmp_path):
    # half of them whole numbers (0.5 steps): still a quantity
    d = read_csv(labels_file(tmp_path, [1.5, 2, 0.5, 3, 2.5, 4]))
    assert d.task == "regression" and d.classes is None
    assert d.summary == ("label 'label' (its name): regression (non-integer values, e.g. 1.5 "
                         "on line 2)")
    path = labels_file(tmp_path, [1.5, 2, 3, 4])  # one in four: refused, not a regression
    refused(path, "line 2: label 1.5 in column 'label' is not an integer, unlike 3 of the 4")
    path = labels_file(tmp_path, [1.5, 2, 0.5, 3, 4, 5])  # one in three: refused too
    refused(path, "line 2: label 1.5 in column 'label' is not an integer, unlike 4 of the 6")


def test_a_stray_text_among_numeric_labels_is_refused(tmp_path):
    path = labels_file(tmp_path, [0, 1, "?", 1])
    message = refused(path, ", line 4: label '?' in column 'label' is text, but other labels "
                      "are numbers (e.g. 0 on line 2)")
    assert "pass --task classification (task='classification')" in message
    d = read_csv(path, task="classification")
    assert d.classes == ["0", "1", "?"] and d.y.tolist() == [0, 1, 2, 1]


def test_text_labels_are_never_a_regression_target(tmp_path):
    path = labels_file(tmp_path, ["cat", "dog"])
    refused(path, ", line 2: label 'cat' in column 'label' is not a number; a regression "
            "target must be numeric", task="regression")
    with pytest.raises(ValueError, match="task must be 'classification' or 'regression', got "
                       "'regresion'"):
        read_csv(path, task="regresion")


def test_task_label_and_header_are_for_csv_files_only():
    for option in ({"label": "target"}, {"task": "regression"}, {"header": False}):
        name = next(iter(option))
        flag = "--no-header" if name == "header" else f"--{name}"
        with pytest.raises(ValueError, match=f"^{name}= \\({flag}\\) is for CSV files; 'iris' "
                           "is a built-in dataset \\(classification\\)$"):
            tn.datasets.load("iris", **option)


def test_a_lonely_integer_class_hints_that_the_labels_may_be_quantities(tmp_path):
    path = labels_file(tmp_path, [10, 20, 30, 10, 20, 30, 40])
    with pytest.raises(ValueError, match=re.escape(
            "class 40 has a single sample; a train/test split needs at least 2 of each class "
            "(drop it, or add samples) (if the labels are quantities, not classes: "
            "task='regression', --task regression)")):
        tn.datasets.load(path)
    assert tn.datasets.load(path, task="regression").task == "regression"
    text = labels_file(tmp_path, ["a", "b", "c", "a", "b", "c", "d"])
    with pytest.raises(ValueError, match=r"^class 'd' has a single sample; a train/test split "
                       r"needs at least 2 of each class \(drop it, or add samples\)$"):
        tn.datasets.load(text)


def test_a_csv_split_is_seeded(tmp_path):
    path = labels_file(tmp_path, [0, 1] * 20)
    a, b, c = (tn.datasets.load(path, seed=s)[0] for s in (1, 1, 2))
    assert np.array_equal(a, b) and not np.array_equal(a, c)


def test_a_validation_split_is_stratified_seeded_and_checked():
    X, _, y, _ = tn.datasets.load("iris", seed=0)
    first = tn.datasets.validation_split(X, y, 0.25)
    again = tn.datasets.validation_split(X, y, 0.25, seed=0)
    other = tn.datasets.validation_split(X, y, 0.25, seed=1)
    assert all(np.array_equal(p, q) for p, q in zip(first, again))  # seed 0 by default
    assert not np.array_equal(first[1], other[1])
    assert [len(p) for p in first] == [90, 30, 90, 30]
    assert np.bincount(first[3]).tolist() == [10, 10, 10]
    Xr, _, yr, _ = tn.datasets.load("diabetes", seed=0)  # a regression: not stratified
    assert len(tn.datasets.validation_split(Xr, yr, 0.1, task="regression")[1]) == 36
    for bad in (0, 1, 1.5, -0.2):
        with pytest.raises(ValueError, match="^validation fraction must be "):
            tn.datasets.validation_split(X, y, bad)
    with pytest.raises(ValueError, match=re.escape(
            "cannot carve a validation split of 0.01 from 120 training samples: The test_size "
            "= 2 should be greater or equal to the number of classes = 3")):
        tn.datasets.validation_split(X, y, 0.01)


# ----- 3. one-hot labels --------------------------------------------------------------------

def test_one_hot_label_columns_are_decoded_and_never_features(tmp_path):
    # the file: label_0 used to be a feature, and the test accuracy 100%
    path = write(tmp_path, "x1,x2,label_0,label_1\n1,2,1,0\n3,4,0,1\n5,6,0,1\n7,8,1,0\n")
    d = read_csv(path)
    assert d.feature_names == ["x1", "x2"] and d.X.shape == (4, 2)
    assert d.classes == [0, 1] and d.y.tolist() == [0, 1, 1, 0] and d.y.dtype == np.intp
    assert d.summary == ("label 'label' (one-hot columns label_0, label_1): 2 classes: 0, 1 "
                         "(one-hot)")


def test_one_hot_columns_named_after_a_chosen_label_and_in_class_order(tmp_path):
    path = write(tmp_path, "x,species_b,species_a,species_c\n1,0,1,0\n2,1,0,0\n3,0,0,1\n")
    refused(path, "which column is the label?")  # 'species' is not a label name
    d = read_csv(path, label="species")
    assert d.classes == ["a", "b", "c"] and d.y.tolist() == [0, 1, 2]
    assert d.feature_names == ["x"] and d.label_name == "species"
    assert d.summary == ("label 'species' (chosen; one-hot columns species_b, species_a, "
                         "species_c): 3 classes: a, b, c (one-hot)")
    assert read_csv(path, label="SPECIES").label_name == "species"  # as the file spells it
    path = write(tmp_path, "x,Target_10,Target_9\n1,1,0\n2,0,1\n")  # numeric suffixes: as numbers
    d = read_csv(path)
    assert d.label_name == "Target" and d.classes == [9, 10] and d.y.tolist() == [1, 0]
    d = read_csv(write(tmp_path, "x,Label_a,label_b\n1,1,0\n2,0,1\n"))
    assert d.label_name == "Label" and d.classes == ["a", "b"]  # the first column's spelling


@pytest.mark.parametrize("row, ones", [("1,1,1", 2), ("1,0,0", 0)])
def test_a_one_hot_row_without_exactly_one_1_is_refused(tmp_path, row, ones):
    path = write(tmp_path, f"x,label_a,label_b\n0,1,0\n{row}\n2,0,1\n")
    refused(path, f", line 3: the one-hot label columns label_a, label_b hold {ones} ones; "
            "one-hot labels have exactly one 1 per row")


def test_one_hot_columns_beside_the_label_are_refused_they_give_the_answer_away(tmp_path):
    path = write(tmp_path, "x,label,label_0,label_1\n1,0,1,0\n2,1,0,1\n")
    refused(path, "'label' and 'label' could each be the label")
    refused(path, "columns label_0, label_1 look like one-hot labels; beside the label 'label' "
            "they would be features that give the answer away", label="label")
    path = write(tmp_path, "x,kind,class_a,class_b\n1,0,1,0\n2,1,0,1\n")
    refused(path, "columns class_a, class_b look like one-hot labels; beside the label 'kind'",
            label="kind")


def test_a_column_named_just_like_the_stem_is_no_class(tmp_path):
    path = write(tmp_path, "x,label_,label_a\n1,0,1\n2,1,0\n")  # "label_": no class name
    refused(path, "which column is the label?")


def test_columns_named_like_a_label_that_are_not_0_or_1_are_features(tmp_path):
    d = read_csv(write(tmp_path, "y_pos,y_vel,label\n0.5,1,0\n2,1,1\n"))
    assert d.label_name == "label" and d.feature_names == ["y_pos", "y_vel"]
    d = read_csv(write(tmp_path, "label_0,x,label\n1,2,0\n0,3,1\n"))  # one column: no group
    assert d.feature_names == ["label_0", "x"]


def test_one_hot_labels_are_classes_not_a_regression_target(tmp_path):
    path = write(tmp_path, "x,label_0,label_1\n1,1,0\n2,0,1\n")
    refused(path, ": the label 'label' is one-hot columns (label_0, label_1), so it is classes, "
            "not a regression target", task="regression")


# ----- 4. a header that is data -------------------------------------------------------------

def test_a_first_row_of_numbers_is_refused_as_a_header(tmp_path):
    # the file: its first sample silently became the header
    path = write(tmp_path, "0.5,1.5,0\n2.5,0.25,1\n1.5,3.5,0\n0.5,2.5,1\n")
    refused(path, ", line 1: the first row looks like data, not a header (0.5, 1.5, 0): add a "
            "header row, or pass --no-header (header=False)")
    d = read_csv(path, header=False)
    assert d.X.shape == (4, 2) and d.feature_names == ["x1", "x2"] and d.label_name == "x3"
    assert d.y.tolist() == [0, 1, 0, 1]
    assert d.summary.startswith("label 'x3' (the last column: the file has no header): 2 classes")
    assert read_csv(path, header=False, label="x1").feature_names == ["x2", "x3"]
    assert tn.datasets.load(path, header=False, test_size=0.5)[0].shape == (2, 2)
    with pytest.raises(TypeError, match="header must be True or False, got 'no'"):
        read_csv(path, header="no")


def test_a_long_numeric_header_is_shown_cut(tmp_path):
    path = write(tmp_path, "1,2,3,4,5,6\n1,2,3,4,5,6\n")
    refused(path, "not a header (1, 2, 3, 4, ...): add a header row")


@pytest.mark.parametrize("header, fragment", [
    ("a,,label", "line 1: column 2 has no name in the header"),
    ("a,b,a,label", "line 1: two columns are named 'a' (columns 1 and 3)"),
])
def test_header_names_must_be_there_and_distinct(tmp_path, header, fragment):
    n = header.count(",") + 1
    refused(write(tmp_path, header + "\n" + ",".join(["1"] * n) + "\n"), fragment)


def test_rows_that_disagree_with_a_headerless_first_row_say_so(tmp_path):
    path = write(tmp_path, "1,2,0\n3,4\n")
    with pytest.raises(ValueError, match="line 2: expected 3 values like the first row, got 2"):
        read_csv(path, header=False)


def test_a_feature_that_is_text_suggests_it_may_be_the_label(tmp_path):
    path = write(tmp_path, "species,x,label\ncat,1,0\ndog,2,1\n")
    refused(path, "line 2: column 'species' holds 'cat', which is not a number (features must "
            "be numeric; is this the label? choose it with --label NAME")


# ----- 6. string labels in Trainer.fit ------------------------------------------------------

def test_a_trainer_refuses_class_names_with_the_encoding_to_use():
    X = np.arange(12.0).reshape(6, 2)
    trainer = tn.Trainer(tn.mlp([2, 4, 2]), "softmax_cross_entropy", "sgd", progress=False)
    before = {k: a.copy() for k, a in trainer.model.arrays().items()}
    for y in (np.array(["cat", "dog"] * 3), ["cat", "dog"] * 3,
              np.array(["cat", "dog"] * 3, dtype=object)):
        with pytest.raises(TypeError, match=re.escape(
                "y holds class names, but a Trainer needs class indices 0..K-1: encode them "
                "with classes, y = np.unique(y, return_inverse=True) and read predictions as "
                "classes[trainer.predict(X)] (TinyNetClassifier does both)")):
            trainer.fit(X, y)
    with pytest.raises(TypeError, match="y_val holds class names"):
        trainer.fit(X, [0, 1] * 3, validation_data=(X, ["a", "b"] * 3))
    assert all(np.array_equal(a, before[k]) for k, a in trainer.model.arrays().items())
    with pytest.raises(TypeError, match="y holds class names"):
        tn.SoftmaxCrossEntropy().check_target(np.array([b"a"]), 2)
    with pytest.raises(TypeError, match="y must be numeric"):  # a regression target: no hint
        tn.MSE().check_target(["a"], 1)


def test_the_hinted_encoding_is_the_estimators_and_the_csv_readers(tmp_path):
    from sklearn.utils import check_random_state

    from tinynet.estimators import TinyNetClassifier

    X, _, y, _ = tn.datasets.load("iris", seed=0)
    names = np.array(["setosa", "versicolor", "virginica"])[y]
    clf = TinyNetClassifier(hidden_layer_sizes=(8,), optimizer="sgd", lr=0.1, epochs=3,
                            random_state=0).fit(X, names)
    classes, y_ids = np.unique(names, return_inverse=True)  # the hint, as written
    seed = int(check_random_state(0).randint(2**31 - 1))  # how the estimator seeds
    trainer = tn.Trainer(tn.mlp([4, 8, 3], seed=seed), tn.SoftmaxCrossEntropy(),
                         tn.optimizers.SGD(lr=0.1), seed=seed, progress=False,
                         teaching_warnings=False)
    trainer.fit(X, y_ids, epochs=3)
    assert classes.tolist() == clf.classes_.tolist()
    assert np.array_equal(classes[trainer.predict(X)], clf.predict(X))
    rows = "".join(f"{a},{b},{c},{d},{n}\n" for (a, b, c, d), n in zip(X, names))
    d = read_csv(write(tmp_path, "a,b,c,d,class\n" + rows))
    assert d.classes == classes.tolist() and d.y.tolist() == y_ids.tolist()
