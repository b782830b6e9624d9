"""K.set_session / K.get_session: Keras 1/2 TensorFlow sessions, which lamina does not have."""

import pytest

import lamina
from lamina import backend as K
from lamina.errors import LaminaDeprecationWarning


def test_tutorial_clear_then_set_session_warns_and_does_nothing():
    K.clear_session()
    with pytest.warns(LaminaDeprecationWarning, match=r"K.set_session\(session\).*runs eagerly.*"
                                                      r"lamina.backend.clear_session\(\)"):
        assert K.set_session(object()) is None
    assert lamina.layers.Dense(1).name == "dense"  # the state clear_session reset is untouched


def test_get_session_warns_and_running_in_it_says_lamina_has_no_session():
    with pytest.warns(LaminaDeprecationWarning, match=r"K.get_session\(\).*no TensorFlow session"):
        session = K.get_session()
    with pytest.raises(ValueError, match=r"K.get_session\(\).run is part of Keras 2's TensorFlow "
                                         r"backend and needs a TensorFlow session.*runs eagerly"):
        session.run([])
