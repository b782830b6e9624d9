"""Argument checks shared by the optimizers: every error names the optimizer, the value and the fix."""

from __future__ import annotations

import inspect
import math
import numbers

from lamina import config, errors


def is_number(value) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool) and not math.isnan(value)


def number(owner: str, argname: str, value, low=None, high=None, low_open=False, high_open=False,
           fix: str = "") -> float:
    """``value`` as a float, or a ValueError if it is not a number within the given range."""
    ok = is_number(value)
    if ok and low is not None:
        ok = value > low if low_open else value >= low
    if ok and high is not None:
        ok = value < high if high_open else value <= high
    if not ok:
        lo = "" if low is None else ("(" if low_open else "[") + f"{low}"
        hi = "" if high is None else f"{high}" + (")" if high_open else "]")
        expected = f"a number in {lo}, {hi}" if low is not None and high is not None else (
            f"a number {'>' if low_open else '>='} {low}" if low is not None else "a number")
        raise ValueError(
            f"{owner}: `{argname}` must be {expected}; received {argname}={value!r}."
            + (f" {fix}" if fix else "")
        )
    return float(value)


def optional_number(owner: str, argname: str, value, **kw):
    return None if value is None else number(owner, argname, value, **kw)


def epsilon(owner: str, value) -> float:
    """Keras 2 spelled the default ``epsilon=None`` (meaning the backend's fuzz factor)."""
    if value is None:
        return config.epsilon()
    return number(owner, "epsilon", value, low=0.0,
                  fix="It is the small constant that keeps the update from dividing by zero, e.g. 1e-7.")


def unit_interval(owner: str, argname: str, value, high_open=False, what: str = "") -> float:
    return number(owner, argname, value, low=0.0, high=1.0, high_open=high_open,
                  fix=what or f"Typical values are close to 1 (e.g. {argname}=0.9).")


def unknown_arguments(cls, kwargs: dict) -> ValueError:
    """The error for keyword arguments an optimizer does not know, with 'did you mean' hints."""
    accepted = [p for p in inspect.signature(cls.__init__).parameters
                if p not in ("self", "kwargs")]
    hints = "".join(errors.suggest(k, accepted) for k in kwargs)
    received = ", ".join(f"{k}={v!r}" for k, v in kwargs.items())
    return ValueError(
        f"{cls.__name__}: unknown argument(s) {received}.{hints} "
        f"{cls.__name__} accepts: {', '.join(accepted)}."
    )


def common_arguments(owner: str, weight_decay, clipnorm, clipvalue, global_clipnorm, use_ema,
                     ema_momentum, ema_overwrite_frequency, loss_scale_factor,
                     gradient_accumulation_steps) -> dict:
    """The checked values of the arguments every optimizer takes (beside learning_rate, name)."""
    clip_fix = "Use a positive number, or None for no clipping."
    out = {
        "weight_decay": optional_number(owner, "weight_decay", weight_decay, low=0.0,
                                        fix="It is the decoupled decay rate, e.g. 0.004; None disables it."),
        "clipnorm": optional_number(owner, "clipnorm", clipnorm, low=0.0, low_open=True, fix=clip_fix),
        "clipvalue": optional_number(owner, "clipvalue", clipvalue, low=0.0, low_open=True, fix=clip_fix),
        "global_clipnorm": optional_number(owner, "global_clipnorm", global_clipnorm, low=0.0,
                                           low_open=True, fix=clip_fix),
        "use_ema": bool(use_ema),
        "ema_momentum": unit_interval(owner, "ema_momentum", ema_momentum),
        "ema_overwrite_frequency": ema_overwrite_frequency,
        "loss_scale_factor": optional_number(owner, "loss_scale_factor", loss_scale_factor, low=0.0,
                                             low_open=True),
        "gradient_accumulation_steps": gradient_accumulation_steps,
    }
    if sum(a is not None for a in (clipnorm, clipvalue, global_clipnorm)) > 1:
        raise ValueError(
            f"{owner}: only one of `clipnorm`, `clipvalue` and `global_clipnorm` can be set; "
            f"received clipnorm={clipnorm}, clipvalue={clipvalue}, "
            f"global_clipnorm={global_clipnorm}. Keep the one you want and drop the others."
        )
    for argname, value, low in (("ema_overwrite_frequency", ema_overwrite_frequency, 1),
                                ("gradient_accumulation_steps", gradient_accumulation_steps, 2)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < low):
            raise ValueError(
                f"{owner}: `{argname}` must be an integer >= {low} or None; received {argname}={value!r}."
            )
    return out
