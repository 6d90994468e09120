"""Code export (``gradcli codegen``): Python source for f, its gradient and Hessian, for NumPy,
JAX or PyTorch, and the numeric check of that source.

The maths comes from gradcli's calculus (the results ``gradient`` and ``hessian`` print); this
package prints it: ``lower`` and ``stable`` prepare the trees, ``statements`` finds the common
subexpressions, ``printer`` and ``targets`` print them, ``format`` keeps lines under 100
characters, ``module`` assembles the module, ``harness`` checks it numerically and ``testfile``
writes a pytest file that does the same.
"""

from .module import generate
from .printer import CodegenError
from .problem import Argument, Module, Problem
from .targets import TARGETS

__all__ = ["generate", "CodegenError", "Argument", "Module", "Problem", "TARGETS"]
