"""Whole pieces played as a person would, measured against the music itself (`pianogenie evaluate --play`,
and the `music` validation figure of training).

- presses: the buttons a person would press for a real piece (no model involved);
- play: a decoder plays the pieces free-running, each stream measured beside the piece;
- measures: every measure, declared once, with the scale the combined distance divides by;
- compare: models side by side, with paired bootstrap intervals over pieces;
- roll: piano rolls as PNG (matplotlib).

Nothing is imported here, so that the torch-free CLI can read `defaults` without loading torch.
"""
