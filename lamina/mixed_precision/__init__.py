"""``lamina.mixed_precision``: Keras's mixed-precision API (policies and loss scaling).

Example:

>>> import lamina
>>> lamina.mixed_precision.set_global_policy("mixed_bfloat16")
>>> lamina.mixed_precision.global_policy()
<DTypePolicy "mixed_bfloat16">
>>> lamina.mixed_precision.set_global_policy("float32")
"""

from lamina.dtype_policies import DTypePolicy, dtype_policy, set_dtype_policy
from lamina.optimizers.loss_scale_optimizer import LossScaleOptimizer

Policy = DTypePolicy
set_global_policy = set_dtype_policy
global_policy = dtype_policy

__all__ = ["DTypePolicy", "Policy", "LossScaleOptimizer", "dtype_policy", "global_policy",
           "set_dtype_policy", "set_global_policy"]
