"""The decoder's arithmetic, split so that a press does as little as possible.

A step of the reference decoder is input layer -> LSTM layer 1 -> LSTM layer 2 -> output layer. Most of layer 1
does not depend on the press: the previous key, the recurrent terms W_hh·h and every bias are known as soon as
the previous press is answered. `prepare` computes them then ("between presses"); `press` adds the button and
dt terms, which enter layer 1 linearly, and runs the rest.

Folding the input layer into layer 1 is exact algebra (x1 = W_in x + b_in has no nonlinearity):
    W_ih1 x1 = W_ih1 W_in[:, key] + dt * W_ih1 W_in[:, dt] + b * W_ih1 W_in[:, button] + W_ih1 b_in.

Per-performer state lives in one flat float32 vector (layout below), so a compiled kernel takes two arrays and a
few scalars: call overhead, not arithmetic, dominates at this size.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .constants import DECODER_INPUT_DIM, NUM_BUTTONS, NUM_KEYS, RNN_DIM, SOS, button_value

H = RNN_DIM
G = 4 * RNN_DIM  # gate rows, packed [i, f, g, o] as in PyTorch
K = NUM_KEYS

# Flat state layout (offsets into one float32 vector per performer).
PRE1 = 0                  # layer-1 preactivation, minus the press's button and dt terms
PRE2 = PRE1 + G           # layer-2 W_hh·h + both biases
H1 = PRE2 + G
C1 = H1 + H
H2 = C1 + H
C2 = H2 + H
SCRATCH = C2 + H          # a layer's preactivation
GATES = SCRATCH + G       # the compiled kernel's activated gates
LOGITS = GATES + G
NOISE = LOGITS + K        # Gumbel noise for the next press (drawn between presses)
MASK = NOISE + K          # 0 for allowed keys, -inf for the rest
STATE_SIZE = MASK + K

# Packed weights read by the press kernel.
P_BUTTONS = 0
P_DT = P_BUTTONS + NUM_BUTTONS * G
P_WIH2 = P_DT + G
P_WOUT = P_WIH2 + G * H
P_BOUT = P_WOUT + K * H
PRESS_SIZE = P_BOUT + K

# Packed weights read by the prepare kernel.
Q_KEYS = 0
Q_WHH1 = Q_KEYS + (SOS + 1) * G
Q_WHH2 = Q_WHH1 + G * H
Q_BIAS2 = Q_WHH2 + G * H
PREPARE_SIZE = Q_BIAS2 + G


@dataclass(frozen=True)
class DecoderWeights:
    """The decoder's tensors rearranged for stepping. Immutable, so any number of sessions can share it."""

    key_table: np.ndarray    # [SOS+1, G]: layer-1 contribution of each previous key, all layer-1 biases folded in
    dt_column: np.ndarray    # [G]
    button_rows: np.ndarray  # [NUM_BUTTONS, G]
    whh1: np.ndarray         # [G, H]
    wih2: np.ndarray         # [G, H]
    whh2: np.ndarray         # [G, H]
    bias2: np.ndarray        # [G]
    wout: np.ndarray         # [K, H]
    bout: np.ndarray         # [K]
    press_pack: np.ndarray   # the press kernel's weights, flat
    prepare_pack: np.ndarray  # the prepare kernel's weights, flat

    @classmethod
    def from_tensors(cls, t: dict[str, np.ndarray]) -> "DecoderWeights":
        # Fold in float64 so the rearrangement adds no rounding beyond the final cast.
        f64 = {name: np.asarray(value, dtype=np.float64) for name, value in t.items()}
        w_in, b_in = f64["dec.input.weight"], f64["dec.input.bias"]
        w_ih1 = f64["dec.lstm.weight_ih_l0"]
        assert w_in.shape[1] == DECODER_INPUT_DIM
        folded = w_ih1 @ w_in  # [G, 91]
        bias1 = w_ih1 @ b_in + f64["dec.lstm.bias_ih_l0"] + f64["dec.lstm.bias_hh_l0"]
        key_table = folded[:, : SOS + 1].T + bias1
        dt_column = folded[:, SOS + 1]
        values = np.array([button_value(b) for b in range(NUM_BUTTONS)])
        button_rows = values[:, None] * folded[:, SOS + 2][None, :]
        parts = dict(
            key_table=key_table,
            dt_column=dt_column,
            button_rows=button_rows,
            whh1=f64["dec.lstm.weight_hh_l0"],
            wih2=f64["dec.lstm.weight_ih_l1"],
            whh2=f64["dec.lstm.weight_hh_l1"],
            bias2=f64["dec.lstm.bias_ih_l1"] + f64["dec.lstm.bias_hh_l1"],
            wout=f64["dec.output.weight"],
            bout=f64["dec.output.bias"],
        )
        parts = {name: np.ascontiguousarray(value, dtype=np.float32) for name, value in parts.items()}
        press_pack = np.concatenate(
            [parts[n].ravel() for n in ("button_rows", "dt_column", "wih2", "wout", "bout")]
        )
        prepare_pack = np.concatenate([parts[n].ravel() for n in ("key_table", "whh1", "whh2", "bias2")])
        assert press_pack.size == PRESS_SIZE and prepare_pack.size == PREPARE_SIZE
        for array in (*parts.values(), press_pack, prepare_pack):
            array.flags.writeable = False
        return cls(press_pack=press_pack, prepare_pack=prepare_pack, **parts)


def gumbel(rng: np.random.Generator, shape: int | tuple[int, ...]) -> np.ndarray:
    """Gumbel noise: argmax(logits + T * noise) samples softmax(logits / T), so sampling costs one add at press
    time. Written out because it is several times faster than Generator.gumbel."""
    u = rng.random(shape)
    np.maximum(u, 1e-300, out=u)  # log(0) would give a -inf that could outrank the key mask
    return -np.log(-np.log(u))


def initial_state(n: int | None = None) -> np.ndarray:
    """Zero state (the reference's initial LSTM state) for one performer, or n of them."""
    return np.zeros(STATE_SIZE if n is None else (n, STATE_SIZE), dtype=np.float32)


# ---------------------------------------------------------------------------------------------------------------
# numpy kernels, batched over a leading performer axis. They serve ensembles, and single sessions when numba is
# not installed.


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 0.5 + 0.5 * np.tanh(0.5 * x)


def _lstm_cell(z: np.ndarray, c: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    i, f, g, o = z[:, :H], z[:, H:2 * H], z[:, 2 * H:3 * H], z[:, 3 * H:]
    c_new = _sigmoid(f) * c + _sigmoid(i) * np.tanh(g)
    return _sigmoid(o) * np.tanh(c_new), c_new


def prepare_batch(states: np.ndarray, w: DecoderWeights, keys: np.ndarray) -> None:
    """Between presses: the layer-1 and layer-2 terms that do not depend on the next press."""
    states[:, PRE1:PRE1 + G] = w.key_table[keys] + states[:, H1:H1 + H] @ w.whh1.T
    states[:, PRE2:PRE2 + G] = states[:, H2:H2 + H] @ w.whh2.T + w.bias2


def press_batch(
    states: np.ndarray, w: DecoderWeights, buttons: np.ndarray, dts: np.ndarray, temperatures: np.ndarray
) -> np.ndarray:
    """The press: finish layer 1, run layer 2 and the output layer, and sample (Gumbel-max over NOISE)."""
    z1 = states[:, PRE1:PRE1 + G] + w.button_rows[buttons] + dts[:, None].astype(np.float32) * w.dt_column
    h1, c1 = _lstm_cell(z1, states[:, C1:C1 + H])
    z2 = h1 @ w.wih2.T + states[:, PRE2:PRE2 + G]
    h2, c2 = _lstm_cell(z2, states[:, C2:C2 + H])
    logits = h2 @ w.wout.T + w.bout
    states[:, H1:H1 + H], states[:, C1:C1 + H] = h1, c1
    states[:, H2:H2 + H], states[:, C2:C2 + H] = h2, c2
    states[:, LOGITS:LOGITS + K] = logits
    scores = logits + temperatures[:, None] * states[:, NOISE:NOISE + K] + states[:, MASK:MASK + K]
    return np.argmax(scores, axis=1)


def press_numpy(state: np.ndarray, w: DecoderWeights, button: int, dt: float, temperature: float) -> int:
    return int(press_batch(state[None], w, np.array([button]), np.array([dt]), np.array([temperature], dtype=np.float32))[0])


def prepare_numpy(state: np.ndarray, w: DecoderWeights, key: int) -> None:
    prepare_batch(state[None], w, np.array([key]))
