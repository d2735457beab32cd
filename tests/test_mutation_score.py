"""tools/mutation_score.py reads mutmut's mutated modules right: which lines a mutant
changes, and whether it only rewords an error message."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))
from mutation_score import changed_lines, function_of, functions, module_of  # noqa: E402

SOURCE = '''
def x_check__mutmut_orig(value):
    if value < 0:
        raise ValueError(
            "value must be >= 0")
    return value * 2


def x_check__mutmut_1(value):
    if value < 0:
        raise ValueError(
            "XXvalue must be >= 0XX")
    return value * 2


def x_check__mutmut_2(value):
    if value <= 0:
        raise ValueError(
            "value must be >= 0")
    return value * 2
'''


def test_a_mutant_inside_a_raise_is_a_message_and_others_are_not():
    funcs = functions(SOURCE)
    assert set(funcs) == {"x_check__mutmut_orig", "x_check__mutmut_1", "x_check__mutmut_2"}
    assert funcs["x_check__mutmut_orig"][2] == {2, 3}  # the raise's lines, counted from def
    before, after, in_raise = changed_lines(SOURCE, "tinynet.mod.x_check__mutmut_1", funcs)
    assert (before, after, in_raise) == ('"value must be >= 0")', '"XXvalue must be >= 0XX")',
                                         True)
    before, after, in_raise = changed_lines(SOURCE, "tinynet.mod.x_check__mutmut_2")
    assert (before, after, in_raise) == ("if value < 0:", "if value <= 0:", False)


def test_names_of_modules_and_functions():
    assert module_of("tinynet.optimizers.rmsprop.x_update__mutmut_3") == "optimizers"
    assert function_of("tinynet.layers.xǁDenseǁforward__mutmut_7") == "Dense.forward"
    assert function_of("tinynet.model.x_mlp__mutmut_2") == "mlp"


HELP_SOURCE = '''
def x_build__mutmut_orig(parser):
    group = parser.add_argument_group("data")
    group.add_argument("--data", metavar="CSV", help="a CSV file")
    parser.add_argument("--seed", type=int, default=0,
                        help="the seed (default: 0)")


def x_build__mutmut_1(parser):
    group = parser.add_argument_group("data")
    group.add_argument("--data", metavar="CSV", help="XXa CSV fileXX")
    parser.add_argument("--seed", type=int, default=0,
                        help="the seed (default: 0)")


def x_build__mutmut_2(parser):
    group = parser.add_argument_group("data")
    group.add_argument("--data", metavar="CSV", help="a CSV file")
    parser.add_argument("--seed", type=int, default=0,
                        )


def x_build__mutmut_3(parser):
    group = parser.add_argument_group(None)
    group.add_argument("--data", metavar="csv", help="a CSV file")
    parser.add_argument("--seed", type=int, default=0,
                        help="the seed (default: 0)")


def x_build__mutmut_4(parser):
    group = parser.add_argument_group("data")
    group.add_argument("XX--dataXX", metavar="CSV", help="a CSV file")
    parser.add_argument("--seed", type=int, default=0,
                        help="the seed (default: 0)")


def x_build__mutmut_5(parser):
    group = parser.add_argument_group("data")
    group.add_argument("--data", metavar="CSV", help="a CSV file")
    parser.add_argument("--seed", type=int, default=1,
                        help="the seed (default: 0)")
'''


def test_a_mutant_of_help_page_text_is_words_and_one_of_an_option_is_not():
    funcs = functions(HELP_SOURCE)
    words = [changed_lines(HELP_SOURCE, f"tinynet.cli.x_build__mutmut_{n}", funcs)[2]
             for n in (1, 2, 3, 4, 5)]
    # help text, help removed, a group title and a metavar: words; the option's name and
    # its default (on a line that also holds help text) are behaviour
    assert words == [True, True, True, False, False]
