"""The derivative variants: where an oracle's derivatives come from. The one list of them.

``"analytic"``
    Exact derivatives, derived symbolically and compiled.
``"fd-forward"``, ``"fd-central"``, ``"complex-step"``
    Derivatives from values of f and c only (the lecture's "blindfolded" configuration): forward and
    central differences, and the complex step Im f(x + ih e_i) / h, at textbook steps.
``"fd-richardson"``
    Values only too: central differences over an adaptive step ladder with Richardson extrapolation
    (:mod:`workbench.richardson`); about 16 n evaluations per gradient, 1 + 16 n^2 per Hessian.
``"fd-optimal"``
    A **teaching baseline**, not a practical method: central differences (gradient, Jacobian) and central
    second differences (Hessian) at the steps that minimise the textbook error model, computed from the
    **exact** higher derivatives f_iii, f_iiii and the rounding scale of f
    (:func:`workbench.finite_difference.optimal_steps`). It shows the best a fixed-step difference can do;
    a user without exact derivatives cannot run it (:attr:`Variant.exact_higher_derivatives`).
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
    "FIXED_STEP_VARIANTS",
    "HESSIAN_MODELS",
    "PRACTICAL_VARIANTS",
    "SCHEMES",
    "TEACHING_VARIANTS",
    "TEXTBOOK_STEPS",
    "Variant",
    "parse_variant",
    "textbook_label",
    "variant_rank",
]

#: Every base variant, in the order reports show them.
DERIVATIVE_VARIANTS: tuple[str, ...] = (
    "analytic", "fd-forward", "fd-central", "complex-step", "fd-richardson", "fd-optimal",
)  # fmt: skip
#: The variants whose derivatives are differences of values of f and c (fd-optimal's steps excepted).
FINITE_DIFFERENCE_VARIANTS: tuple[str, ...] = DERIVATIVE_VARIANTS[1:]
#: The variants with a fixed step rule (a textbook step factor times the scale): the error-versus-step
#: sweep draws their error against the step.
FIXED_STEP_VARIANTS: tuple[str, ...] = FINITE_DIFFERENCE_VARIANTS[:3]
#: Variants that read exact higher derivatives to choose their steps: teaching baselines, shown beside the
#: others in accuracy reports but never ranked as a method a user could pick, and left out of the
#: report's default study.
TEACHING_VARIANTS: tuple[str, ...] = ("fd-optimal",)
#: The variants a user can run on a problem: every base variant but the teaching baselines.
PRACTICAL_VARIANTS: tuple[str, ...] = tuple(v for v in DERIVATIVE_VARIANTS if v not in TEACHING_VARIANTS)
#: Quasi-Newton Hessian models that may follow a base variant after "+".
HESSIAN_MODELS: tuple[str, ...] = ("bfgs", "sr1")
#: The difference scheme behind each finite-difference variant: the step rule of ``fd-forward`` /
#: ``fd-central`` / ``complex-step`` (:data:`workbench.finite_difference.STEP_FACTORS`), the adaptive
#: ladder of ``fd-richardson`` and the model-optimal central steps of ``fd-optimal``.
SCHEMES: dict[str, str] = {
    "fd-forward": "forward", "fd-central": "central", "complex-step": "complex",
    "fd-richardson": "richardson", "fd-optimal": "optimal",
}  # fmt: skip
#: The variants whose steps a declared ``typical_x`` changes from the textbook max(1, |x_i|) scale, and
#: which the derivative check therefore also measures at their textbook steps (:func:`textbook_label`).
TEXTBOOK_STEPS: tuple[str, ...] = ("fd-forward", "fd-central")
TEXTBOOK_SUFFIX = "@textbook"


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
        """True when derivatives are differences of values of f and c (for ``fd-optimal`` the steps
        come from exact higher derivatives: see :attr:`exact_higher_derivatives`)."""
        return self.base in FINITE_DIFFERENCE_VARIANTS

    @property
    def exact_higher_derivatives(self) -> bool:
        """True when the variant reads exact higher derivatives (to choose its steps): only
        ``fd-optimal``, a teaching baseline (:data:`TEACHING_VARIANTS`)."""
        return self.base in TEACHING_VARIANTS

    @property
    def complex_step(self) -> bool:
        return self.base == "complex-step"

    @property
    def scheme(self) -> str | None:
        """The difference scheme of a finite-difference variant (``"forward"``, ``"central"``,
        ``"complex"``, ``"richardson"``, ``"optimal"``), None for exact derivatives."""
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


def textbook_label(variant: str) -> str:
    """The label of a derivative-check row of ``variant`` measured at its textbook steps, max(1, |x_i|)
    scaled, on a problem whose declared ``typical_x`` the variant itself uses (``"fd-forward@textbook"``).
    Such a label names a comparison in the check tables, not a variant an oracle accepts."""
    return f"{variant}{TEXTBOOK_SUFFIX}"


def variant_rank(name: str) -> tuple[int, int, str]:
    """A sort key putting variants in report order: base variants as listed, each before its models
    (a check row's :func:`textbook_label` just before its variant's own row)."""
    plain = name.removesuffix(TEXTBOOK_SUFFIX)
    base, _, model = plain.partition("+")
    base_rank = DERIVATIVE_VARIANTS.index(base) if base in DERIVATIVE_VARIANTS else len(DERIVATIVE_VARIANTS)
    model_rank = 0 if not model else 1 + (HESSIAN_MODELS.index(model) if model in HESSIAN_MODELS else 9)
    model_rank = 2 * model_rank + (0 if name.endswith(TEXTBOOK_SUFFIX) else 1)
    return (base_rank, model_rank, name)
