"""Piano Genie in PyTorch, faithful to the reference (Donahue et al.; chrisdonahue/music-cocreation-tutorial):
a bidirectional LSTM encoder squeezes each note to one real value, an integer quantizer with a
straight-through estimator turns it into one of 8 buttons, and an LSTM decoder rebuilds the keys.

Parameter names and shapes match the reference state dict (enc.*, dec.*), so the reference checkpoint
loads with strict=True and the dec.* tensors are exactly what the engine and the browser run.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F

from pianogenie.engine.constants import DEFAULT_TEMPERATURE, NUM_BUTTONS, NUM_KEYS, RNN_DIM, RNN_LAYERS, SOS

from .config import LossWeights


@dataclass
class ModelConfig:
    num_buttons: int = NUM_BUTTONS
    rnn_dim: int = RNN_DIM
    rnn_num_layers: int = RNN_LAYERS


class Encoder(nn.Module):
    """(key, dt) per note -> one real value e per note, reading the whole crop in both directions."""

    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.input = nn.Linear(NUM_KEYS + 1, cfg.rnn_dim)
        self.lstm = nn.LSTM(cfg.rnn_dim, cfg.rnn_dim, cfg.rnn_num_layers, batch_first=True, bidirectional=True)
        self.output = nn.Linear(cfg.rnn_dim * 2, 1)

    def forward(self, k: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
        x = torch.cat([F.one_hot(k, NUM_KEYS).float(), t.unsqueeze(2)], dim=2)
        x, _ = self.lstm(self.input(x))
        return self.output(x)[:, :, 0]


class IntegerQuantizer(nn.Module):
    """Real values in [-1, 1] <-> num_bins integers; forward rounds with a straight-through gradient."""

    def __init__(self, num_bins: int):
        super().__init__()
        self.num_bins = num_bins

    def to_discrete(self, x: torch.Tensor) -> torch.Tensor:
        return torch.round(torch.clamp((x + 1) / 2, 0, 1) * (self.num_bins - 1)).long()

    def to_real(self, d: torch.Tensor) -> torch.Tensor:
        return 2 * d.float() / (self.num_bins - 1) - 1

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # The forward value is the quantized one; the gradient passes through as if it were the identity.
        return x + (self.to_real(self.to_discrete(x)) - x).detach()


class Decoder(nn.Module):
    """(previous key, dt, button value) -> logits over the 88 keys: the engine's decoder contract."""

    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.input = nn.Linear(NUM_KEYS + 3, cfg.rnn_dim)
        self.lstm = nn.LSTM(cfg.rnn_dim, cfg.rnn_dim, cfg.rnn_num_layers, batch_first=True)
        self.output = nn.Linear(cfg.rnn_dim, NUM_KEYS)

    def forward(self, k_prev: torch.Tensor, t: torch.Tensor, b: torch.Tensor,
                state: tuple[torch.Tensor, torch.Tensor] | None = None) -> tuple[torch.Tensor, tuple]:
        x = torch.cat([F.one_hot(k_prev, NUM_KEYS + 1).float(), t.unsqueeze(2), b.unsqueeze(2)], dim=2)
        x, state = self.lstm(self.input(x), state)
        return self.output(x), state

    @torch.no_grad()
    def generate(self, b: torch.Tensor, t: torch.Tensor, temperature: float = DEFAULT_TEMPERATURE,
                 generator: torch.Generator | None = None, prev: torch.Tensor | None = None,
                 state: tuple[torch.Tensor, torch.Tensor] | None = None) -> tuple[torch.Tensor, tuple]:
        """Free-running play, as on stage (nanoGPT's GPT.generate): each step samples a key from
        softmax(logits / temperature) (argmax at temperature <= 0) and feeds it back as the next previous key.

        b, t [B, T]: button values and dts. prev [B, 1]: the key before the first (default: the start
        token) and state the LSTM state to go on from, so that a session can be played a press at a time.
        -> (keys [B, T], state)."""
        if prev is None:
            prev = torch.full((b.shape[0], 1), SOS, dtype=torch.long, device=b.device)
        steps = b.shape[1]
        if steps == 0:
            return prev[:, :0], state
        # A live session (and the engine bench) plays one press a call: its inputs go in as they are (slicing
        # them would cost a press a few per cent more than the loop this replaced).
        columns = zip(t.split(1, dim=1), b.split(1, dim=1)) if steps > 1 else ((t, b),)
        played = []
        for t_i, b_i in columns:
            logits, state = self(prev, t_i, b_i, state)
            if temperature <= 0:
                prev = logits[:, -1].argmax(-1, keepdim=True)
            else:
                prev = torch.multinomial(torch.softmax(logits[:, -1] / temperature, -1), 1, generator=generator)
            played.append(prev)
        return (prev if steps == 1 else torch.cat(played, dim=1)), state


def shift_keys(k: torch.Tensor) -> torch.Tensor:
    """Teacher forcing: the decoder sees the previous key, with the start token first."""
    return torch.cat([torch.full_like(k[:, :1], SOS), k[:, :-1]], dim=1)


class PianoGenie(nn.Module):
    def __init__(self, cfg: ModelConfig | None = None):
        super().__init__()
        self.cfg = cfg or ModelConfig()
        self.enc = Encoder(self.cfg)
        self.quant = IntegerQuantizer(self.cfg.num_buttons)
        self.dec = Decoder(self.cfg)

    def forward(self, k: torch.Tensor, t: torch.Tensor, forced: torch.Tensor | None = None
                ) -> tuple[torch.Tensor, torch.Tensor]:
        """k [B, T] keys 0..87, t [B, T] clipped dts -> (logits [B, T, 88], encoder output e [B, T]).

        forced [B, T]: buttons to give the decoder instead of the encoder's wherever they are >= 0 (a
        person's buttons, see training.person). It lives in forward so that DDP sees one call."""
        e = self.enc(k, t)
        b = self.quant(e)
        if forced is not None:
            b = torch.where(forced >= 0, self.quant.to_real(forced.clamp(min=0)), b)
        logits, _ = self.dec(shift_keys(k), t, b)
        return logits, e

    def buttons(self, k: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
        """The buttons the encoder assigns to a performance (0..num_buttons-1)."""
        return self.quant.to_discrete(self.enc(k, t))

    def decode_buttons(self, k: torch.Tensor, t: torch.Tensor, buttons: torch.Tensor) -> torch.Tensor:
        """Teacher-forced decoder logits for given buttons (e.g. the ones a person pressed)."""
        logits, _ = self.dec(shift_keys(k), t, self.quant.to_real(buttons))
        return logits


def compute_losses(logits: torch.Tensor, e: torch.Tensor, k: torch.Tensor,
                   weights: LossWeights = LossWeights()) -> dict[str, torch.Tensor]:
    """The three losses of the reference and their weighted sum.

    reconstruction: cross-entropy of the decoder's logits against the keys;
    margin: mean(max(|e| - 1, 0)^2) keeps the encoder inside the quantizer's range;
    contour: mean(max(0, 1 - dk * de)^2) asks consecutive buttons to move the way the keys move.
    """
    recons = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), k.reshape(-1))
    margin = torch.square(torch.clamp(torch.abs(e) - 1, min=0)).mean()
    contour = torch.square(torch.clamp(1 - torch.diff(k, dim=1).float() * torch.diff(e, dim=1), min=0)).mean()
    total = recons + weights.loss_margin * margin + weights.loss_contour * contour
    return {"loss": total, "recons": recons, "margin": margin, "contour": contour}


def load_state_dict(path) -> dict[str, torch.Tensor]:
    """Model weights from a training checkpoint (a dict with 'model') or a bare state dict such as the
    reference model.pt. weights_only=True: a checkpoint can never run code when loaded."""
    import pickle

    try:
        obj = torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as exc:
        raise ValueError(f"{path}: holds objects other than tensors and plain data; refusing to unpickle it "
                         f"({str(exc).splitlines()[-1].strip()[:200]})") from None
    if isinstance(obj, dict) and "model" in obj and isinstance(obj["model"], dict):
        obj = obj["model"]
    if not isinstance(obj, dict) or not all(isinstance(v, torch.Tensor) for v in obj.values()):
        raise ValueError(f"{path}: not a Piano Genie state dict or training checkpoint")
    return obj


def load_model(path) -> PianoGenie:
    model = PianoGenie()
    try:
        model.load_state_dict(load_state_dict(path), strict=True)
    except RuntimeError as exc:
        raise ValueError(f"{path}: weights do not fit the Piano Genie model ({exc})") from None
    return model.eval()


def load_for_evaluation(path) -> tuple[PianoGenie, bool]:
    """(model, has_encoder) from a training checkpoint, a bare state dict, or a model directory (the
    shipped, decoder-only format the engine and the browser load). A directory's encoder stays untrained:
    has_encoder is False, and callers must not use it."""
    from pathlib import Path

    if Path(path).is_dir():
        from pianogenie.engine.model_format import ModelError, read_decoder

        try:
            weights, _ = read_decoder(path)
        except ModelError as exc:
            raise ValueError(str(exc)) from None
        model = PianoGenie()
        model.dec.load_state_dict({name[len("dec."):]: torch.from_numpy(w.copy()) for name, w in weights.items()})
        return model.eval(), False
    return load_model(path), True
