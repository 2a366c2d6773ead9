// The decoder contract's constants, defined once for the browser port. They mirror engine/constants.py: the
// two sides share model files and this contract, never code.

export const NUM_BUTTONS = 8;
export const NUM_KEYS = 88;
// MIDI pitch of key 0 (A0); key 87 is C8.
export const LOWEST_PITCH = 21;
// Previous-key token at the first step after a reset.
export const SOS = NUM_KEYS;
// Seconds since the previous press are clipped to [0, DT_MAX]; the first press after a reset uses DT_MAX.
export const DT_MAX = 1.0;
export const RNN_DIM = 128;
export const RNN_LAYERS = 2;
// one_hot(previous key, 89) + dt + button value.
export const DECODER_INPUT_DIM = NUM_KEYS + 1 + 2;
export const DEFAULT_TEMPERATURE = 0.25;

export const MANIFEST_NAME = 'weights_manifest.json';
export const CONFIG_NAME = 'cfg.json';
export const FIXTURE_NAME = 'test.json';

// Every tensor the decoder needs, with its shape (PyTorch state-dict names and layout).
export const DECODER_TENSORS = Object.freeze({
  'dec.input.weight': [RNN_DIM, DECODER_INPUT_DIM],
  'dec.input.bias': [RNN_DIM],
  'dec.lstm.weight_ih_l0': [4 * RNN_DIM, RNN_DIM],
  'dec.lstm.weight_hh_l0': [4 * RNN_DIM, RNN_DIM],
  'dec.lstm.bias_ih_l0': [4 * RNN_DIM],
  'dec.lstm.bias_hh_l0': [4 * RNN_DIM],
  'dec.lstm.weight_ih_l1': [4 * RNN_DIM, RNN_DIM],
  'dec.lstm.weight_hh_l1': [4 * RNN_DIM, RNN_DIM],
  'dec.lstm.bias_ih_l1': [4 * RNN_DIM],
  'dec.lstm.bias_hh_l1': [4 * RNN_DIM],
  'dec.output.weight': [NUM_KEYS, RNN_DIM],
  'dec.output.bias': [NUM_KEYS],
});

// cfg.json keys the port relies on, with the values it implements.
export const REQUIRED_CONFIG = Object.freeze({
  num_buttons: NUM_BUTTONS,
  model_rnn_dim: RNN_DIM,
  model_rnn_num_layers: RNN_LAYERS,
});

/** The real value a button feeds the decoder: 0..7 mapped evenly onto [-1, 1]. */
export function buttonValue(button) {
  return (2 * button) / (NUM_BUTTONS - 1) - 1;
}

export function keyToPitch(key) {
  return key + LOWEST_PITCH;
}

export function pitchToKey(pitch) {
  return pitch - LOWEST_PITCH;
}
