"""The one definition of every constant the model, the bridge and the tools share."""

NUM_BUTTONS = 8
NUM_KEYS = 88
# MIDI pitch of key 0 (A0); key 87 is C8 (MIDI 108).
LOWEST_PITCH = 21
HIGHEST_PITCH = LOWEST_PITCH + NUM_KEYS - 1
# Previous-key token used at the first step after a reset ("start of sequence").
SOS = NUM_KEYS
# Seconds since the previous press are clipped to [0, DT_MAX]; the first press after a reset uses DT_MAX.
DT_MAX = 1.0
RNN_DIM = 128
RNN_LAYERS = 2
# Decoder input: one_hot(previous key, 89) + dt + button value.
DECODER_INPUT_DIM = NUM_KEYS + 1 + 2

# Tensors the decoder needs, in the reference state-dict order, with their shapes.
DECODER_TENSORS: dict[str, tuple[int, ...]] = {
    "dec.input.weight": (RNN_DIM, DECODER_INPUT_DIM),
    "dec.input.bias": (RNN_DIM,),
    "dec.lstm.weight_ih_l0": (4 * RNN_DIM, RNN_DIM),
    "dec.lstm.weight_hh_l0": (4 * RNN_DIM, RNN_DIM),
    "dec.lstm.bias_ih_l0": (4 * RNN_DIM,),
    "dec.lstm.bias_hh_l0": (4 * RNN_DIM,),
    "dec.lstm.weight_ih_l1": (4 * RNN_DIM, RNN_DIM),
    "dec.lstm.weight_hh_l1": (4 * RNN_DIM, RNN_DIM),
    "dec.lstm.bias_ih_l1": (4 * RNN_DIM,),
    "dec.lstm.bias_hh_l1": (4 * RNN_DIM,),
    "dec.output.weight": (NUM_KEYS, RNN_DIM),
    "dec.output.bias": (NUM_KEYS,),
}

# Sampling temperature when none is given: 0 = always the likeliest key, 1 = the model's own distribution.
DEFAULT_TEMPERATURE = 0.25
# MIDI velocity of a press that carries none (an OSC press without a velocity, an events file without one).
DEFAULT_VELOCITY = 100

MANIFEST_NAME = "weights_manifest.json"
CONFIG_NAME = "cfg.json"
FIXTURE_NAME = "test.json"


def button_value(button: int) -> float:
    """The real value a button feeds the decoder: 0..7 mapped evenly onto [-1, 1]."""
    return 2.0 * button / (NUM_BUTTONS - 1) - 1.0


def key_to_pitch(key: int) -> int:
    return key + LOWEST_PITCH


def pitch_to_key(pitch: int) -> int:
    return pitch - LOWEST_PITCH

# Beats to a bar in a Link session (`serve --quantum`, a take's "quantum"): Link takes any, but a bar longer than
# this is no bar a take or a DAW could mean.
MAX_QUANTUM = 64.0
