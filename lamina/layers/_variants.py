"""One refusal for the Keras 3 layer variants lamina does not implement (LoRA, quantization).

Keras 3.15 constructors take ``lora_rank``, ``lora_alpha`` and ``quantization_config``; lamina's
take them too, so Keras configs and programs that leave them unset work, and refuse any other
value in one message instead of silently ignoring it (STYLE: variants belong in wrappers).
"""

from __future__ import annotations


def refuse_variants(owner: str, lora_rank=None, lora_alpha=None, quantization_config=None) -> None:
    """Raise NotImplementedError naming ``owner`` if any variant argument is set."""
    given = {k: v for k, v in (("lora_rank", lora_rank), ("lora_alpha", lora_alpha),
                               ("quantization_config", quantization_config)) if v is not None}
    if given:
        shown = ", ".join(f"{k}={v!r}" for k, v in given.items())
        raise NotImplementedError(
            f"{owner}: LoRA and quantization ({shown}) are not supported by lamina yet; leave "
            "lora_rank, lora_alpha and quantization_config at None (their defaults).")
