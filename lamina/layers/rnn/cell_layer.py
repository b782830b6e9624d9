"""The part LSTM, GRU and SimpleRNN share: an RNN of one built-in cell that can run fused.

The cell's Keras-layout weights stay the source of truth (trained, saved, reported). When the
configuration matches one of torch's kernels, a call runs the whole sequence in
``ops.fused_rnn`` (weights converted with differentiable views each call); otherwise it steps
through time with the cell. Both give the same numbers (see tests/layers/rnn/).

The fused kernel is used when all of these hold:
- the cell is exactly the built-in class (not a subclass) and ``use_cudnn`` is not False;
- activations: LSTM/GRU tanh + sigmoid; SimpleRNN tanh or relu;
- GRU: ``reset_after=True``;
- in training: no ``recurrent_dropout`` (input ``dropout`` is fine: one mask for all steps);
- no mask, or a mask whose valid steps form one block per row (right- or left-padded
  sequences, as ``pad_sequences`` makes); other masks use the step loop.
"""

from __future__ import annotations

from lamina import activations, regularizers
from lamina.ops import _internal as ops
from lamina.layers.input_spec import InputSpec
from lamina.layers.rnn.rnn import RNN

_TANH = (activations.tanh, ops.tanh)
_SIGMOID = (activations.sigmoid, ops.sigmoid)
_RELU = (activations.relu, ops.relu)
_CUDNN = ("auto", True, False)


class CellRNN(RNN):
    """Base of LSTM, GRU and SimpleRNN (not used directly)."""

    _cell_class = None
    _cell_name = ""
    _legacy_kwargs = {
        "consume_less": ("implementation", lambda v: {"cpu": 0, "mem": 1, "gpu": 2}.get(v, 2)),
    }

    def __init_subclass__(cls, **kw):
        super().__init_subclass__(**kw)
        names = getattr(cls, "_cell_args", ())
        for n in names:
            if n not in cls.__dict__:
                setattr(cls, n, property(lambda self, n=n: getattr(self.cell, n),
                                         doc=f"The cell's ``{n}``."))

    def _setup(self, cell_kwargs, rnn_kwargs, kwargs):
        implementation = kwargs.pop("implementation", 2)
        use_cudnn = kwargs.pop("use_cudnn", "auto")
        time_major = kwargs.pop("time_major", None)
        if time_major:
            raise ValueError(
                f"{type(self).__name__}(time_major=True) is a tf.keras 2 option that Keras 3 and "
                "lamina removed: inputs are (batch, time, features). Transpose the data instead."
            )
        if use_cudnn not in _CUDNN:
            raise ValueError(
                f"{type(self).__name__}: use_cudnn must be 'auto', True or False, received {use_cudnn!r}."
            )
        units = cell_kwargs.get("units")
        if not isinstance(units, int) or isinstance(units, bool) or units <= 0:
            raise ValueError(
                f"{type(self).__name__}: units must be a positive integer, received units={units!r}. "
                f"Example: {type(self).__name__}(32)."
            )
        cell = self._cell_class(**cell_kwargs, implementation=implementation,
                                dtype=kwargs.get("dtype"), trainable=kwargs.get("trainable", True),
                                name=self._cell_name)
        RNN.__init__(self, cell, **rnn_kwargs, **kwargs)
        self.use_cudnn = use_cudnn
        self.input_spec = InputSpec(ndim=3)

    # ------------------------------------------------------------------ fused path
    def _fused_mode(self):
        raise NotImplementedError

    def _fused(self, x, states, mask, training):
        """(sequence outputs, final states) from ops.fused_rnn, or None to run the step loop.

        The states are None when the layer neither returns nor keeps them.
        """
        mode = self._fused_mode() if self.use_cudnn is not False else None
        cell = self.cell
        if mode is not None and type(cell) is not self._cell_class:
            mode = None
        if mode is not None and training:
            if 0.0 < cell.recurrent_dropout < 1.0 or (0.0 < cell.dropout < 1.0 and cell._per_gate()):
                mode = None
            elif 0.0 < cell.dropout < 1.0:
                # One mask for all steps; if the loop runs after all, it reuses this draw.
                x = x * ops.expand_dims(cell.get_dropout_mask(x[:, 0]), 1)
        out = None
        if mode is not None:
            out = ops.fused_rnn(mode, x, states, cell.kernel, cell.recurrent_kernel, cell.bias,
                                mask=mask, zero_output_for_mask=self.zero_output_for_mask,
                                return_states=self.return_state or self.stateful)
            if out is not None:
                cell.reset_dropout_mask()
        if out is None and self.use_cudnn is True:
            raise ValueError(
                f"Layer '{self.name}' was built with use_cudnn=True, but this configuration cannot "
                "use the fused kernel (it needs the default activations, no recurrent_dropout in "
                "training, GRU reset_after=True, and masks that only pad the start or end of "
                "sequences). Pass use_cudnn='auto' to fall back to the step loop."
            )
        return out

    # ------------------------------------------------------------------ config
    def get_config(self):
        config = super().get_config()
        del config["cell"]
        cell_config = self.cell.get_config()
        for k in ("name", "trainable", "dtype"):
            cell_config.pop(k, None)
        seed = cell_config.pop("seed", None)
        config.update(cell_config)
        config["activity_regularizer"] = (None if self.activity_regularizer is None
                                          else regularizers.serialize(self.activity_regularizer))
        config["seed"] = seed
        return config

    @classmethod
    def from_config(cls, config):
        return cls(**config)
