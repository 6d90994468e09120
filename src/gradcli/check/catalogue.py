"""The built-in catalogue of ``check --builtin``: the book's identities, checked for real.

Every entry is decided by the same engine as a user's claim, every time (no stored
verdicts).  Entries:

* 5.41-5.50: the partial derivatives and chain-rule example of MML chapter 5 as the book
  has them (the seed's 5.42 "1/2 (x + 2y^3) y^2" and 5.43 "2 x1 x2 + x3^2" are transcription
  errors; the book's f(x1, x2) = x1^2 x2 + x1 x2^3 gives 2 x1 x2 + x2^3), and standard
  sum, product, quotient and chain rule instances.
* 5.99-5.102 (a matrix function f(X)): the derivative of a matrix by a matrix is a tensor,
  which gradcli's language cannot write.  They are checked entry by entry instead
  (``check.tensor.decide_tensor``), for f(X) = X X, A X and X^T X, at n = 1..3, exactly:
  with T_kl = d f(X) / d X_kl (the (k, l) slice of the tensor, an n x n matrix), for every
  k, l and every entry (i, j):

    5.99   d (f(X)^T)_ij / dX_kl            = ((T_kl)^T)_ij
    5.100  d tr f(X) / dX_kl                = tr(T_kl)
    5.101  d det f(X) / dX_kl               = det f(X) tr(f(X)^-1 T_kl)
    5.102  d (f(X)^-1)_ij / dX_kl           = (-f(X)^-1 T_kl f(X)^-1)_ij

  The left sides are computed from the explicit entries of f(X)^T, tr f(X), det f(X) and
  f(X)^-1 (= adj f(X) / det f(X)), independently of the right sides.  Closed-form
  instances written in the language are added (5.100 with f(X) = X X, 5.101 with
  f(X) = X, 5.99 contracted with vectors a, b).
* 5.103-5.108 as claims in gradcli's language, component by component at n = 1..4;
  5.107 also in denominator layout, 5.108 with W symmetric.
"""

from __future__ import annotations

from typing import ClassVar

from ..model.declarations import Declarations
from ..model.layout import Layout
from ..record import record
from .claims import Claim
from .tensor import TENSOR_IDENTITIES

TENSOR_DECL = Declarations(matrices=("X", "A"))
TENSOR_FUNCTIONS = ("X X", "A X", "X^T X")


@record
class CatalogueEntry:
    number: str
    name: str
    claim: str
    decl: Declarations = Declarations()
    layout: str = Layout.NUMERATOR
    tensor: tuple[str, str] | None = None  # (identity, f(X)) for an entrywise tensor check
    checks: str = ""  # what exactly is checked, for --list

    def declarations(self) -> dict:
        """The declarations as the command line would write them."""
        out = {}
        if self.decl.vectors:
            out["vector"] = ",".join(self.decl.vectors)
        if self.decl.matrices:
            out["matrix"] = ",".join(self.decl.matrices)
        if self.decl.symmetric:
            out["symmetric"] = ",".join(self.decl.symmetric)
        if self.decl.shapes:
            out["shape"] = ",".join(f"{n}={s}" for n, s in self.decl.shapes)
        return out

    def as_claim(self) -> Claim:
        return Claim(self.claim, self.decl, self.layout, f"{self.number} {self.name}", f"builtin:{self.number}",
                     tensor=self.tensor, number=self.number)


@record
class CatalogueListing:
    """``check --builtin --list``."""

    command: ClassVar[str] = "check"

    entries: tuple[CatalogueEntry, ...]


def _decl(vectors: str = "", matrices: str = "", symmetric: str = "") -> Declarations:
    split = lambda s: tuple(n for n in s.split(",") if n)  # noqa: E731
    return Declarations(vectors=split(vectors), matrices=split(matrices), symmetric=split(symmetric))


_TENSOR_TEXT = {
    "5.99": ("transpose rule", "d/dX f(X)^T = (d f(X)/dX)^T"),
    "5.100": ("trace rule", "d/dX tr(f(X)) = tr(d f(X)/dX)"),
    "5.101": ("determinant rule", "d/dX det(f(X)) = det(f(X)) tr(f(X)^-1 d f(X)/dX)"),
    "5.102": ("inverse rule", "d/dX f(X)^-1 = -f(X)^-1 (d f(X)/dX) f(X)^-1"),
}


def _tensor_entries() -> list[CatalogueEntry]:
    out = []
    for number, (name, text) in _TENSOR_TEXT.items():
        for f in TENSOR_FUNCTIONS:
            out.append(CatalogueEntry(
                number, f"{name}, f(X) = {f}", f"{text}, f(X) = {f}", TENSOR_DECL, tensor=(number, f),
                checks=f"per entry, n = 1..3: {TENSOR_IDENTITIES[number]}",
            ))
    return out


def entries() -> list[CatalogueEntry]:
    """The catalogue, in the book's order."""
    scalar = [
        CatalogueEntry("5.41", "partial derivative by x", "∂/∂x (x + 2y^3)^2 = 2 (x + 2y^3)"),
        CatalogueEntry("5.42", "partial derivative by y (the book's, not the seed's 1/2 ...)",
                       "∂/∂y (x + 2y^3)^2 = 12 (x + 2y^3) y^2"),
        CatalogueEntry("5.43", "partial derivative by x1", "∂/∂x1 (x1^2 x2 + x1 x2^3) = 2 x1 x2 + x2^3"),
        CatalogueEntry("5.44", "partial derivative by x2", "∂/∂x2 (x1^2 x2 + x1 x2^3) = x1^2 + 3 x1 x2^2"),
        CatalogueEntry("5.46", "product rule", "d/dx (x^2 sin(x)) = 2x sin(x) + x^2 cos(x)"),
        CatalogueEntry("5.47", "sum rule", "d/dx (exp(x) + log(x)) = exp(x) + 1/x"),
        CatalogueEntry("5.48", "chain rule", "d/dx sin(x^2) = 2x cos(x^2)"),
        CatalogueEntry("5.48", "chain rule, twice", "d/dx exp(sin(x)^2) = 2 sin(x) cos(x) exp(sin(x)^2)"),
        CatalogueEntry("5.50", "chain rule, f = x1^2 + 2 x2 with x1 = sin t, x2 = cos t",
                       "d/dt (sin(t)^2 + 2 cos(t)) = 2 sin(t) (cos(t) - 1)"),
        CatalogueEntry("", "quotient rule", "d/dx (sin(x)/x) = (x cos(x) - sin(x))/x^2"),
        CatalogueEntry("", "power rule with a real exponent", "d/dx x^x = x^x (log(x) + 1)"),
        CatalogueEntry("", "mixed partials commute", "d/dy d/dx (x^3 y^2 + sin(x y)) = d/dx d/dy (x^3 y^2 + sin(x y))"),
    ]
    instances = [
        CatalogueEntry("5.99", "transpose rule, f(X) = X contracted with a, b", "d/dX (a^T X^T b) = b a^T",
                       _decl("a,b", "X")),
        CatalogueEntry("5.100", "trace rule, f(X) = X X in closed form", "d/dX tr(X X) = 2 X^T", _decl("", "X")),
        CatalogueEntry("5.100", "trace rule, f(X) = A X in closed form", "d/dX tr(A X) = A^T", _decl("", "A,X")),
        CatalogueEntry("5.101", "determinant rule, f(X) = X (Jacobi's formula)", "d/dX (det(X)) = det(X) X^-T",
                       _decl("", "X")),
    ]
    matrix = [
        CatalogueEntry("5.103", "a^T X^-1 b", "d/dX (a^T X^-1 b) = -(X^-1)^T a b^T (X^-1)^T", _decl("a,b", "X")),
        CatalogueEntry("5.104", "x^T a", "d/dx (x^T a) = a^T", _decl("x,a")),
        CatalogueEntry("5.105", "a^T x", "d/dx (a^T x) = a^T", _decl("x,a")),
        CatalogueEntry("5.106", "a^T X b", "d/dX (a^T X b) = a b^T", _decl("a,b", "X")),
        CatalogueEntry("5.107", "x^T B x", "d/dx (x^T B x) = x^T (B + B^T)", _decl("x", "B")),
        CatalogueEntry("5.107", "x^T B x, denominator layout", "d/dx (x^T B x) = (B + B^T) x", _decl("x", "B"),
                       layout=Layout.DENOMINATOR),
        CatalogueEntry("5.108", "weighted least squares, W symmetric",
                       "d/ds (x - A s)^T W (x - A s) = -2 (x - A s)^T W A", _decl("x,s", "A", "W")),
    ]
    for e in instances + matrix + _machine_learning():
        object.__setattr__(e, "checks", "components, n = 1..4")
    for e in scalar:
        object.__setattr__(e, "checks", "symbolic, else numeric")
    return scalar + _tensor_entries() + instances + matrix + _machine_learning()


def _machine_learning() -> list[CatalogueEntry]:
    """Issue 16: machine learning, with the source (MML: the book; MCB: the Matrix Cookbook's
    equation; ML: the standard result, derived in the README)."""
    shapes = Declarations(vectors=("y", "theta"), shapes=(("Phi", "N x D"),))
    gauss = _decl("x,mu", "", "S")
    return [
        CatalogueEntry("MML Ex. 5.11", "least squares, sizes inferred from Phi = N x D",
                       "d/dtheta norm(y - Phi theta)^2 = -2 (y - Phi theta)^T Phi", shapes),
        CatalogueEntry("MML 5.6", "a layer sigmoid(A x + b): gradient by b",
                       "d/db norm(y - sigmoid(A x + b))^2 = -2 ((y - sigmoid(A x + b)) .* sigmoid(A x + b) "
                       ".* (1 - sigmoid(A x + b)))^T", _decl("y,x,b", "A")),
        CatalogueEntry("MML 5.6", "a layer sigmoid(A x + b): gradient by A",
                       "d/dA norm(y - sigmoid(A x + b))^2 = -2 ((y - sigmoid(A x + b)) .* sigmoid(A x + b) "
                       ".* (1 - sigmoid(A x + b))) x^T", _decl("y,x,b", "A")),
        CatalogueEntry("ML", "logistic loss, denominator layout",
                       "d/dw sum(log(1 + exp(-y .* (X w)))) = -X^T (y .* sigmoid(-y .* (X w)))", _decl("y,w", "X"),
                       layout=Layout.DENOMINATOR),
        CatalogueEntry("ML", "logsumexp: its gradient is softmax", "d/dz logsumexp(z) = softmax(z)^T", _decl("z")),
        CatalogueEntry("ML", "softmax Jacobian", "d/dz softmax(z) = diag(softmax(z)) - softmax(z) softmax(z)^T",
                       _decl("z")),
        CatalogueEntry("MCB (86)", "Gaussian log-likelihood by the mean, S symmetric",
                       "d/dmu (-1/2 (x - mu)^T inv(S) (x - mu)) = (x - mu)^T inv(S)", gauss),
        CatalogueEntry("MCB (57), (61)", "Gaussian log-likelihood by a symmetric covariance",
                       "d/dS (-1/2 (x - mu)^T inv(S) (x - mu) - 1/2 log(det(S))) = "
                       "1/2 inv(S) (x - mu) (x - mu)^T inv(S) - 1/2 inv(S)", gauss),
    ]


def claims() -> list[Claim]:
    """The catalogue as claims for ``check_claims``."""
    return [e.as_claim() for e in entries()]


def listing() -> CatalogueListing:
    """``check --builtin --list``: number, name, claim, declarations, layout, what is checked."""
    return CatalogueListing(entries=tuple(entries()))
