"""The derivative variants: where an oracle's derivatives come from. The one list of them.

``"analytic"``
    Exact derivatives, derived symbolically and compiled.
``"fd-forward"``, ``"fd-central"``, ``"complex-step"``
    Derivatives from values of f and c only (the lecture's "blindfolded" configuration): forward and
    central differences, and the complex step Im f(x + ih e_i) / h.
``"<variant>+bfgs"``, ``"<variant>+sr1"``
    The gradient of ``<variant>`` and **no** Hessian: the method builds a quasi-Newton model over its
    iterations (SciPy's ``BFGS()`` / ``SR1()``). Such a model is not a derivative at x.

Every layer (oracle, methods, studies, reports) asks this module, so a new variant is added here once.
"""

from __future__ import annotations

import dataclasses

from workbench.validation import did_you_mean

__all__ = [
    "DERIVATIVE_VARIANTS",
    "FINITE_DIFFERENCE_VARIANTS",
    "HESSIAN_MODELS",
    "SCHEMES",
    "Variant",
    "parse_variant",
    "variant_rank",
]

#: Every base variant, in the order reports show them.
DERIVATIVE_VARIANTS: tuple[str, ...] = ("analytic", "fd-forward", "fd-central", "complex-step")
#: The variants built from function values only.
FINITE_DIFFERENCE_VARIANTS: tuple[str, ...] = ("fd-forward", "fd-central", "complex-step")
#: Quasi-Newton Hessian models that may follow a base variant after "+".
HESSIAN_MODELS: tuple[str, ...] = ("bfgs", "sr1")
#: The difference scheme behind each finite-difference variant.
SCHEMES: dict[str, str] = {"fd-forward": "forward", "fd-central": "central", "complex-step": "complex"}


@dataclasses.dataclass(frozen=True)
class Variant:
    """A parsed variant name: ``base`` (a :data:`DERIVATIVE_VARIANTS` entry) and the optional
    quasi-Newton ``hessian_model``."""

    base: str
    hessian_model: str | None = None

    @property
    def name(self) -> str:
        return self.base if self.hessian_model is None else f"{self.base}+{self.hessian_model}"

    @property
    def finite_difference(self) -> bool:
        """True when derivatives come from values of f and c only."""
        return self.base in FINITE_DIFFERENCE_VARIANTS

    @property
    def complex_step(self) -> bool:
        return self.base == "complex-step"

    @property
    def scheme(self) -> str | None:
        """The difference scheme of a finite-difference variant (``"forward"``, ``"central"``,
        ``"complex"``), None for exact derivatives."""
        return SCHEMES.get(self.base)

    def __str__(self) -> str:
        return self.name


def parse_variant(variant: str | Variant) -> Variant:
    """``"fd-forward+bfgs"`` as ``Variant("fd-forward", "bfgs")``; an unknown name is an error listing
    the known ones."""
    if isinstance(variant, Variant):
        return variant
    if not isinstance(variant, str):
        raise TypeError(f"a derivative variant is a string such as 'analytic', got {variant!r}")
    base, plus, model = variant.strip().partition("+")
    if base not in DERIVATIVE_VARIANTS or (plus and model not in HESSIAN_MODELS):
        known = [*DERIVATIVE_VARIANTS, *(f"{b}+{m}" for b in DERIVATIVE_VARIANTS for m in HESSIAN_MODELS)]
        raise ValueError(
            f"unknown derivative variant {variant!r}{did_you_mean(variant, known)}; choose one of "
            f"{', '.join(DERIVATIVE_VARIANTS)}, optionally followed by +{' or +'.join(HESSIAN_MODELS)} "
            "(e.g. fd-forward+bfgs)"
        )
    return Variant(base, model or None)


def variant_rank(name: str) -> tuple[int, int, str]:
    """A sort key putting variants in report order: base variants as listed, each before its models."""
    base, _, model = name.partition("+")
    base_rank = DERIVATIVE_VARIANTS.index(base) if base in DERIVATIVE_VARIANTS else len(DERIVATIVE_VARIANTS)
    model_rank = 0 if not model else 1 + (HESSIAN_MODELS.index(model) if model in HESSIAN_MODELS else 9)
    return (base_rank, model_rank, name)
