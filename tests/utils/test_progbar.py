"""lamina.utils.Progbar: Keras's progress bar for custom loops (update/add, averages, verbose modes)."""

import doctest

import numpy as np
import pytest

from lamina.utils import Progbar, progbar


def test_values_are_averaged_over_the_steps_they_cover_and_stateful_ones_are_kept(capsys):
    bar = Progbar(target=6, verbose=2, stateful_metrics=["acc"])
    bar.update(2, [("loss", 1.0), ("acc", 0.1)])
    bar.add(4, [("loss", 4.0), ("acc", 0.9)])  # loss covers 4 steps: (1*2 + 4*4) / 6 = 3
    assert bar.average("loss") == pytest.approx(3.0) and bar.average("acc") == pytest.approx(0.9)
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and out.startswith("6/6 - ") and "loss: 3.0000 - acc: 0.9000" in out


def test_verbose_1_draws_a_bar_and_unknown_target_counts(capsys):
    bar = Progbar(target=4, width=8, verbose=1, interval=0)
    bar._dynamic_display = True
    bar.update(2, [("loss", np.float32(0.5))])
    assert "\r2/4 [===>    ]" in capsys.readouterr().out
    bar.update(4)
    assert "4/4 [========]" in capsys.readouterr().out
    unknown = Progbar(target=None, verbose=1, interval=0)
    unknown.add(3)
    assert "3/Unknown" in capsys.readouterr().out


def test_verbose_0_prints_nothing_and_bad_arguments_are_explained(capsys):
    bar = Progbar(target=2, verbose=0)
    bar.add(2, [("x", 1)])
    assert capsys.readouterr().out == ""
    with pytest.raises(ValueError, match="verbose must be 0, 1 or 2; received 3"):
        Progbar(10, verbose=3)
    with pytest.raises(ValueError, match="target must be a non-negative number or None; received -1"):
        Progbar(-1)


def test_docstring_example():
    result = doctest.testmod(progbar, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0
