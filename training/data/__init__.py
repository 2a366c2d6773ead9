"""Note data for training: note streams, their cache, the sources (MIDI folder, MAESTRO, music21 corpus),
and the crops/augmentation that turn them into training examples."""
