"""The compiled press and prepare kernels (numba). Imported only when numba is installed; see kernels.py.

Weights arrive as flat packs and are viewed as 2-D arrays inside the kernel: indexing a flat array with computed
offsets keeps LLVM from vectorising (it must allow for negative indices), 2-D range loops vectorise.
"""

import numba
import numpy as np

from . import decoder as d
from .decoder import G, H, K

# cache=True keeps the compiled code beside this file, so only the first load after an install compiles.
# error_model="numpy" drops the division-by-zero branch that would keep the gate loops from vectorising.
jit = numba.njit(fastmath=True, cache=True, nogil=True, boundscheck=False, error_model="numpy")

_f = np.float32
HALF = 0.5
CLAMP = 7.90531110763549805
# Eigen's rational approximation of tanh on [-CLAMP, CLAMP], evaluated in float64: the gates are a small part of
# the step, and the extra precision keeps the fixture's error budget for the float32 matrix products.
A13, A11, A9, A7 = -2.76076847742355e-16, 2.00018790482477e-13, -8.60467152213735e-11, 5.12229709037114e-08
A5, A3, A1 = 1.48572235717979e-05, 6.37261928875436e-04, 4.89352455891786e-03
B6, B4, B2, B0 = 1.19825839466702e-06, 1.18534705686654e-04, 2.26843463243900e-03, 4.89352518554385e-03


@jit
def tanh(x):
    x = min(max(np.float64(x), -CLAMP), CLAMP)
    x2 = x * x
    p = ((((((x2 * A13 + A11) * x2 + A9) * x2 + A7) * x2 + A5) * x2 + A3) * x2 + A1) * x
    q = ((x2 * B6 + B4) * x2 + B2) * x2 + B0
    return p / q


@jit
def cell(z, c, h, t):
    """LSTM cell on packed [i, f, g, o] preactivations z, with t as scratch; updates c and h in place.
    sigmoid(x) = (1 + tanh(x / 2)) / 2, so every gate is one vectorised tanh loop."""
    for r in range(2 * H):
        t[r] = tanh(HALF * z[r])
    for r in range(2 * H, 3 * H):
        t[r] = tanh(z[r])
    for r in range(3 * H, 4 * H):
        t[r] = tanh(HALF * z[r])
    for j in range(H):
        cj = (HALF + HALF * t[H + j]) * c[j] + (HALF + HALF * t[j]) * t[2 * H + j]
        c[j] = cj
        t[j] = tanh(cj)
    for j in range(H):
        h[j] = (HALF + HALF * t[3 * H + j]) * t[j]


@jit
def matvec_add(out, w, x):
    """out += w @ x for w [rows, H], four rows at a time so the FMA chains overlap."""
    rows = w.shape[0]
    r = 0
    while r + 4 <= rows:
        a0 = _f(0.0)
        a1 = _f(0.0)
        a2 = _f(0.0)
        a3 = _f(0.0)
        for k in range(H):
            xk = x[k]
            a0 += w[r, k] * xk
            a1 += w[r + 1, k] * xk
            a2 += w[r + 2, k] * xk
            a3 += w[r + 3, k] * xk
        out[r] += a0
        out[r + 1] += a1
        out[r + 2] += a2
        out[r + 3] += a3
        r += 4
    while r < rows:
        acc = _f(0.0)
        for k in range(H):
            acc += w[r, k] * x[k]
        out[r] += acc
        r += 1


@jit
def press(state, w, button, dt, temperature):
    buttons = w[d.P_BUTTONS:d.P_DT].reshape((8, G))
    dt_column = w[d.P_DT:d.P_WIH2]
    wih2 = w[d.P_WIH2:d.P_WOUT].reshape((G, H))
    wout = w[d.P_WOUT:d.P_BOUT].reshape((K, H))
    bout = w[d.P_BOUT:d.PRESS_SIZE]
    pre1 = state[d.PRE1:d.PRE1 + G]
    z = state[d.SCRATCH:d.SCRATCH + G]
    h1 = state[d.H1:d.H1 + H]
    h2 = state[d.H2:d.H2 + H]
    logits = state[d.LOGITS:d.LOGITS + K]
    noise = state[d.NOISE:d.NOISE + K]
    mask = state[d.MASK:d.MASK + K]
    dt32 = _f(dt)
    for r in range(G):
        z[r] = pre1[r] + buttons[button, r] + dt32 * dt_column[r]
    gates = state[d.GATES:d.GATES + G]
    cell(z, state[d.C1:d.C1 + H], h1, gates)
    z[:] = state[d.PRE2:d.PRE2 + G]
    matvec_add(z, wih2, h1)
    cell(z, state[d.C2:d.C2 + H], h2, gates)
    logits[:] = bout
    matvec_add(logits, wout, h2)
    t32 = _f(temperature)
    best = 0
    best_score = -np.inf
    for r in range(K):
        score = logits[r] + t32 * noise[r] + mask[r]
        if score > best_score:
            best_score = score
            best = r
    return best


@jit
def prepare(state, w, key):
    keys = w[d.Q_KEYS:d.Q_WHH1].reshape((d.SOS + 1, G))
    whh1 = w[d.Q_WHH1:d.Q_WHH2].reshape((G, H))
    whh2 = w[d.Q_WHH2:d.Q_BIAS2].reshape((G, H))
    pre1 = state[d.PRE1:d.PRE1 + G]
    pre2 = state[d.PRE2:d.PRE2 + G]
    pre1[:] = keys[key]
    pre2[:] = w[d.Q_BIAS2:d.PREPARE_SIZE]
    matvec_add(pre1, whh1, state[d.H1:d.H1 + H])
    matvec_add(pre2, whh2, state[d.H2:d.H2 + H])
