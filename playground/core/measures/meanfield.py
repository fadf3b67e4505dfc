"""Signal propagation in wide random tanh networks (Poole et al. 2016; Schoenholz et al. 2017).

With W ~ N(0, sw2/N) and b ~ N(0, sb2), the pre-activations of an input settle to a variance q*,
the fixed point of q = sw2 E[phi(sqrt(q) z)^2] + sb2 (z standard normal), and two inputs'
correlation c to a fixed point c*. chi1 = sw2 E[phi'(sqrt(q*) z)^2] is the slope of the
correlation map at c = 1: chi1 < 1 is the ordered phase (all inputs become alike, gradients
vanish), chi1 > 1 the chaotic one (nearby inputs decorrelate, gradients explode). The critical
line chi1 = 1 is where depth scales diverge: sw2 = 1 as sb2 -> 0, about 1.76 at sb2 = 0.05.
Schoenholz et al. find networks trainable up to about 6 xi_c layers, xi_c = -1/ln chi_c.
Expectations use Gauss-Hermite quadrature.
"""

from __future__ import annotations

import math

import numpy as np

_NODES, _WEIGHTS = np.polynomial.hermite_e.hermegauss(101)
_WEIGHTS = _WEIGHTS / _WEIGHTS.sum()  # E[f(z)] = sum w_i f(z_i), z ~ N(0, 1)


def _phi(h):
    return np.tanh(h)


def _dphi(h):
    return 1.0 - np.tanh(h) ** 2


def gauss(f) -> float:
    return float(np.sum(_WEIGHTS * f(_NODES)))


def gauss2(f) -> float:
    """E[f(z1, z2)] for independent standard normals."""
    z1, z2 = np.meshgrid(_NODES, _NODES, indexing="ij")
    return float(np.sum(np.outer(_WEIGHTS, _WEIGHTS) * f(z1, z2)))


def q_star(sw2: float, sb2: float) -> float:
    """Fixed point of the length map q -> sw2 E[tanh(sqrt(q) z)^2] + sb2 (bisection: the map's
    excess over q falls from positive to negative once, between 0 and sw2 + sb2)."""

    def excess(q: float) -> float:
        return sw2 * gauss(lambda z: _phi(math.sqrt(q) * z) ** 2) + sb2 - q

    if sb2 == 0 and sw2 <= 1.0:
        return 0.0  # tanh'(0) = 1: the zero signal is stable, and the only fixed point
    low, high = (0.0 if sb2 > 0 else 1e-12), sw2 + sb2
    for _ in range(200):
        mid = 0.5 * (low + high)
        if excess(mid) > 0:
            low = mid
        else:
            high = mid
    return 0.5 * (low + high)


def chi1(sw2: float, sb2: float) -> float:
    q = q_star(sw2, sb2)
    return sw2 * gauss(lambda z: _dphi(math.sqrt(q) * z) ** 2)


def critical_sw2(sb2: float, low: float = 0.5, high: float = 10.0) -> float:
    """The sw2 where chi1 = 1 for this sb2 (bisection; chi1 rises with sw2 across the line)."""
    for _ in range(100):
        mid = 0.5 * (low + high)
        if chi1(mid, sb2) < 1.0:
            low = mid
        else:
            high = mid
    return 0.5 * (low + high)


def _correlation_map(c: float, q: float, sw2: float, sb2: float) -> float:
    s = math.sqrt(q)
    root = math.sqrt(max(1.0 - c * c, 0.0))
    value = sw2 * gauss2(lambda z1, z2: _phi(s * z1) * _phi(s * (c * z1 + root * z2))) + sb2
    return value / q


def c_star(sw2: float, sb2: float, iterations: int = 2000) -> float:
    """Fixed point of the correlation map of two inputs (1 in the ordered phase)."""
    q = q_star(sw2, sb2)
    if q < 1e-12:
        return 1.0
    c = 0.5
    for _ in range(iterations):
        new = _correlation_map(c, q, sw2, sb2)
        if abs(new - c) < 1e-12:
            return new
        c = new
    return c


def depth_scale(sw2: float, sb2: float) -> float:
    """xi_c = -1 / ln chi_c: how many layers a difference between inputs survives."""
    q = q_star(sw2, sb2)
    c = c_star(sw2, sb2)
    if c > 1 - 1e-9:
        slope = chi1(sw2, sb2)
    else:
        s = math.sqrt(q)
        root = math.sqrt(1.0 - c * c)
        slope = sw2 * gauss2(lambda z1, z2: _dphi(s * z1) * _dphi(s * (c * z1 + root * z2)))
    if abs(slope - 1.0) < 1e-12:
        return math.inf
    return -1.0 / math.log(slope)
