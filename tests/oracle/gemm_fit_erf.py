#!/usr/bin/env python3
"""Fits the erf polynomials of the GEMM epilogue (kernels/gemm_act_impl.h).

Not a fixture generator: it documents where the coefficients come from and
checks their error against mpmath. Least squares on Chebyshev nodes:
  |t| < 1:      erf(t) = t * P(t^2), P of degree 7, relative error
  1 <= t < 4:   erf(t) = 1 - exp(-t^2) * Q(t - 2.5), Q of degree 11, fitted to
                erfc(t) exp(t^2) with weight exp(-t^2) (absolute error of erf)
Run: /work/venv/bin/python tests/oracle/gemm_fit_erf.py
"""
import mpmath as mp
import numpy as np

mp.mp.dps = 40


def fit_small(deg, n=400):
    u = (1 - np.cos(np.pi * (np.arange(n) + 0.5) / n)) / 2  # t^2 on [0, 1]
    t = np.sqrt(u)
    y = np.array([float(mp.erf(mp.mpf(x)) / mp.mpf(x)) for x in t])
    V = np.vander(u, deg + 1, increasing=True)
    c, *_ = np.linalg.lstsq(V / y[:, None], np.ones_like(y), rcond=None)
    tt = np.linspace(1e-4, 1, 4001)
    ref = np.array([float(mp.erf(mp.mpf(x))) for x in tt])
    err = np.max(np.abs(tt * np.polyval(c[::-1], tt * tt) - ref) / ref)
    return c, err


def fit_large(deg, lo=1.0, hi=4.0, mid=2.5, n=600):
    t = (lo + hi) / 2 + (hi - lo) / 2 * np.cos(np.pi * (np.arange(n) + 0.5) / n)
    y = np.array([float(mp.erfc(mp.mpf(x)) * mp.exp(mp.mpf(x) ** 2)) for x in t])
    w = np.exp(-t * t)
    V = np.vander(t - mid, deg + 1, increasing=True)
    c, *_ = np.linalg.lstsq(V * w[:, None], y * w, rcond=None)
    tt = np.linspace(lo, hi, 3001)
    ref = np.array([float(mp.erf(mp.mpf(x))) for x in tt])
    err = np.max(np.abs(1 - np.exp(-tt * tt) * np.polyval(c[::-1], tt - mid) - ref))
    return c, err


if __name__ == "__main__":
    cs, es = fit_small(7)
    cl, el = fit_large(11)
    print("P (t^2 powers, low first), max relative error %.2g:" % es)
    print("\n".join("  %.17g" % x for x in cs))
    print("Q ((t-2.5) powers, low first), max absolute error %.2g:" % el)
    print("\n".join("  %.17g" % x for x in cl))
