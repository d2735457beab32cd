"""``tinynet exercises list | start DIR | check FILE``."""

import shutil
from pathlib import Path

import pytest

from tinynet import exercises
from tinynet.cli import main
from tinynet.exercises.command import stub, stub_text

SOLUTIONS = Path(__file__).with_name("exercise_solutions.py")


def test_list_prints_every_exercise_with_its_signature(capsys):
    assert main(["exercises", "list"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[::2] == [ex.signature for ex in exercises.EXERCISES.values()]
    assert out[1] == "    The output of a Dense layer for a batch X (one sample per row)."


def test_start_writes_stubs_that_check_as_not_implemented(tmp_path, capsys):
    folder = tmp_path / "mine"
    assert main(["exercises", "start", str(folder)]) == 0
    stubs = folder / "exercises.py"
    assert capsys.readouterr().out == (f"wrote {stubs}: 8 stubs. Write one, then: tinynet "
                                       f"exercises check {stubs}\n")
    text = stubs.read_text()
    assert text == stub_text(str(stubs))
    assert text.count('    raise NotImplementedError("your code here")\n') == 8
    assert "    #   W ← W - lr dW / (sqrt(s) + eps)\n" in text  # the formula, as a comment
    assert main(["exercises", "check", str(stubs)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0] == ("FAIL  dense_forward: not implemented yet (the function still raises "
                      "NotImplementedError)")
    assert out[-1] == "0 of 8 exercises pass (8 not implemented yet)"


def test_start_never_writes_over_a_file(tmp_path, capsys):
    stubs = tmp_path / "exercises.py"
    stubs.write_text("my work")
    assert main(["exercises", "start", str(tmp_path)]) == 2
    assert stubs.read_text() == "my work"
    assert capsys.readouterr().err == (f"tinynet exercises: error: {stubs} exists (your "
                                       f"work?): choose another folder, or move the file away "
                                       f"first (--debug shows the traceback)\n")


def test_check_grades_a_file_of_solutions_and_names_a_mistake(tmp_path, capsys):
    mine = tmp_path / "mine.py"
    shutil.copy(SOLUTIONS, mine)
    assert main(["exercises", "check", str(mine)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert [line.split()[:2] for line in out[:-1]] == [
        ["PASS", f"{name}:"] for name in exercises.available()]
    assert out[-1] == "8 of 8 exercises pass"
    mine.write_text(SOLUTIONS.read_text().replace("np.sqrt(s) + eps", "np.sqrt(s + eps)"))
    assert main(["exercises", "check", str(mine)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert "FAIL  rmsprop: eps is inside the square root: sqrt(s) + eps" in out
    assert out[-1] == "7 of 8 exercises pass"


def test_a_stub_file_with_one_exercise_done(tmp_path, capsys):
    assert main(["exercises", "start", str(tmp_path)]) == 0
    stubs = tmp_path / "exercises.py"
    text = stubs.read_text()
    head = text.index("def sgd(W, dW, lr):")
    end = text.index('raise NotImplementedError("your code here")', head)
    stub = 'raise NotImplementedError("your code here")'
    stubs.write_text(text[:end] + "W -= lr * dW" + text[end + len(stub):])
    capsys.readouterr()
    assert main(["exercises", "check", str(stubs)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert "PASS  sgd: correct (float64 and float32, 8 results checked)" in out
    assert out[-1] == "1 of 8 exercises pass (7 not implemented yet)"


@pytest.mark.parametrize("args, content, error", [
    (["check", "{dir}/missing.py"], None,
     "no file {dir}/missing.py (tinynet exercises start DIR writes one)"),
    (["check", "{dir}/bad.py"], "def sgd(W, dW, lr):\n    W -= lr *\n",
     "{dir}/bad.py, line 2: invalid syntax"),
    (["check", "{dir}/bad.py"], "import numpy as np\nnp.nothing()\n",
     "running {dir}/bad.py raised AttributeError: module 'numpy' has no attribute 'nothing'"),
    (["check", "{dir}/bad.py"], "def train():\n    pass\n",
     "{dir}/bad.py defines none of the exercises: dense_forward, dense_backward, "
     "relu_backward, softmax_cross_entropy, sgd, momentum, rmsprop, adam"),
    (["check"], None, "'check' needs the file to grade: tinynet exercises check FILE"),
    (["start"], None, "'start' needs a folder for the stubs: tinynet exercises start DIR"),
    (["list", "x"], None, "'list' takes no path"),
])
def test_mistakes_on_the_command_line_are_one_line_and_exit_2(tmp_path, capsys, args,
                                                              content, error):
    if content is not None:
        (tmp_path / "bad.py").write_text(content)
    assert main(["exercises", *[a.format(dir=tmp_path) for a in args]]) == 2
    assert capsys.readouterr().err == (f"tinynet exercises: error: "
                                       f"{error.format(dir=tmp_path)} (--debug shows the "
                                       f"traceback)\n")


def test_a_stub_is_the_signature_the_task_and_the_formula():
    assert stub(exercises.EXERCISES["sgd"]) == (
        "def sgd(W, dW, lr):\n"
        "    # One plain gradient descent step on a parameter W with gradient dW: "
        "change W in place\n"
        "    # and return None.\n"
        "    #\n"
        "    #   W ← W - lr dW\n"
        '    raise NotImplementedError("your code here")\n')
    text = stub_text("here.py")
    assert text.startswith('"""tinynet exercises: backprop and the article\'s optimizers')
    assert "\n    tinynet exercises check here.py\n" in text
    assert text.endswith("\n\n\n" + stub(exercises.EXERCISES["adam"]))
    assert text.count("\n\n\ndef ") == 8


def test_start_makes_the_folders_and_check_skips_what_is_not_a_function(tmp_path, capsys):
    assert main(["exercises", "start", str(tmp_path / "a" / "b")]) == 0
    assert (tmp_path / "a" / "b" / "exercises.py").is_file()
    odd = tmp_path / "odd.py"
    odd.write_text("sgd = 3\n\ndef rmsprop(W, dW, s, lr, rho, eps):\n    pass\n")
    assert main(["exercises", "check", str(odd)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert [line.split(":")[0] for line in out[1:-1]] == ["FAIL  rmsprop"]
    assert out[-1] == "0 of 1 exercises pass"


def test_the_help_says_what_each_action_does_and_a_mistyped_one_gets_the_choices(capsys):
    with pytest.raises(SystemExit) as done:
        main(["exercises", "--help"])
    assert done.value.code == 0
    text = " ".join(capsys.readouterr().out.split()) + " "
    assert "{list,start,check}" in text and " start: a folder; check: a file " in text
    assert ("'list' the exercises; 'start DIR' writes DIR/exercises.py, one stub per exercise "
            "with its formula; 'check FILE' grades every exercise function FILE defines and "
            "names the mistake when one is wrong (exit 1 if any fails).") in text
    with pytest.raises(SystemExit):
        main(["--help"])
    assert " graded exercises: backprop and the optimizers, written by you " in " ".join(
        capsys.readouterr().out.split()) + " "
    with pytest.raises(SystemExit) as done:
        main(["exercises", "chek"])
    assert done.value.code == 2 and "'check'" in capsys.readouterr().err
