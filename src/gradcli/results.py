"""What a use case returns and the renderers show: one frozen record (``gradcli.record``)
per command.  Fields hold SymPy objects and the calculus's own records; nothing here
prints.  A renderer dispatches on the record's class (``render.base``), so each command's
look is a method of each format, and ``command`` (the JSON key) is the class's."""

from __future__ import annotations

from typing import Any, ClassVar

from .model.layout import Layout
from .model.points import Point
from .record import record


@record
class DerivativeResult:
    command: ClassVar[str] = "derivative"

    input: str
    function: Any
    wrt: tuple[tuple[Any, int], ...]  # (variable, order) in the order applied
    result: Any
    value: Any = None
    point: Point | None = None
    steps: Any = None  # calculus.steps.StepsResult
    definition: Any = None  # calculus.definition.DefinitionResult
    simplified: bool = True
    #: the syntax tree of f as written (``language.ast``), for showing the input as the user wrote it
    tree: Any = None

    @property
    def variables(self) -> tuple[Any, ...]:
        out: list[Any] = []
        for var, order in self.wrt:
            out.extend([var] * order)
        return tuple(out)


@record
class MatrixResult:
    """What gradient, hessian and jacobian share: derivatives by scalar variables (an
    explicit matrix) or by one vector or matrix symbol (a matrix expression)."""

    command: ClassVar[str] = ""

    input: str
    function: Any  # scalar expr, or tuple of exprs (jacobian)
    wrt: tuple[Any, ...]
    result: Any  # ImmutableMatrix, or a matrix expression
    layout: str = Layout.NUMERATOR
    value: Any = None
    point: Point | None = None
    symbolic: bool = False  # result is a matrix expression (w.r.t. vectors/matrices)
    #: f as written: a syntax tree (``language.ast``), a tuple of them for a Jacobian's functions
    tree: Any = None
    steps: Any = None  # calculus.matrix.steps.MatrixStepsResult (--steps by a vector or matrix)


@record
class GradientResult(MatrixResult):
    command: ClassVar[str] = "gradient"


@record
class HessianResult(MatrixResult):
    command: ClassVar[str] = "hessian"


@record
class JacobianResult(MatrixResult):
    command: ClassVar[str] = "jacobian"

    determinant: Any = None
    determinant_value: Any = None


@record
class TensorResult:
    """A derivative of order 3 or 4 (a vector or matrix by a matrix, a matrix by a vector),
    with its views, all read off one computation (``calculus.matrix.tensor``)."""

    command: ClassVar[str] = "derivative"

    input: str
    function: Any  # F, a matrix expression
    wrt: Any  # X, a MatrixSymbol
    vec: Any  # d vec(F) / d vec(X) in the layout asked for
    index: Any  # calculus.matrix.views.IndexForm
    layout: str = Layout.NUMERATOR
    array: Any = None  # calculus.matrix.views.ExplicitArray, when the sizes are numbers
    vec_matrix: Any = None  # the explicit d vec(F)/d vec(X), when the sizes are numbers
    #: --at: the point, whose arrays fixed the sizes; the explicit array (an ExplicitArray)
    #: and d vec(F)/d vec(X) there
    point: Point | None = None
    value: Any = None
    vec_value: Any = None

    @property
    def order(self) -> int:
        return sum(1 for s in tuple(self.function.shape) + tuple(self.wrt.shape) if s != 1)


@record
class JacobianTensorResult(TensorResult):
    command: ClassVar[str] = "jacobian"


@record
class ChainRuleResult:
    command: ClassVar[str] = "chain"

    input: str
    chain: Any  # calculus.multivar.ChainResult
    value: Any = None
    point: Point | None = None
    tree: Any = None  # f as written (``language.ast``)


@record
class TaylorReport:
    command: ClassVar[str] = "taylor"

    input: str
    taylor: Any  # calculus.taylor.TaylorResult
    table: bool = False
    plot: str | None = None
    plot_range: tuple[float, float] | None = None  # the x interval drawn (--range, or the default)
    tree: Any = None  # f as written (``language.ast``)


@record
class AutodiffResult:
    command: ClassVar[str] = "autodiff"

    input: str
    function: Any
    trace: Any  # calculus.autodiff.Trace
    point: Point
    value: Any  # the gradient at the point, a 1 x n row (as `gradient --at` gives it)
    mode: str = "both"
    digits: int | None = None  # of the decimals shown beside exact values
    tree: Any = None  # f as written (``language.ast``)

    @property
    def wrt(self) -> tuple[str, ...]:
        return self.trace.inputs

    @property
    def result(self) -> Any:
        return self.value


@record
class CodegenResult:
    """``codegen``: the generated module (``codegen.Module``) and, with --gradcheck, its check
    (``codegen.run.GradcheckReport``).  ``result`` is the gradient the code computes."""

    command: ClassVar[str] = "codegen"

    input: str
    function: Any
    wrt: tuple[Any, ...]
    result: Any
    layout: str = Layout.NUMERATOR
    target: str = "numpy"
    module: Any = None
    hessian: Any = None
    gradcheck: Any = None
    #: where the module and the pytest file were written (-o, --test), if anywhere
    output: str | None = None
    test: str | None = None
    test_source: str | None = None
