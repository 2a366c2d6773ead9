"""The defaults of `evaluate --play` that the torch-free CLI needs too."""

DEFAULT_SEEDS = 5  # seeds per piece and mapping: each draws the finger jitter and the decoder's samples
RESAMPLES = 10_000  # bootstrap resamples of the pieces
MAPPINGS = ("range", "rank")  # training.music.presses: the two readings of where a note sits
