"""The performers registry: performer n is created on its first message, each with its own decoder session
(seeded `seed + n`, so a performer's notes do not depend on who else plays), all under one model."""

from __future__ import annotations

from typing import Any

from pianogenie.engine import PianoGenie

from .performer import Performer, Router, Senders


class Ensemble:
    def __init__(self, genie: PianoGenie, router: Router, temperature: float, seed: int | None):
        self.genie = genie
        self.router = router
        self.temperature = float(temperature)  # a new performer's
        self.seed = seed  # may be set before the first performer plays (the recorder's take names it)
        self.performers: dict[int, Performer] = {}

    def performer(self, number: int) -> Performer:
        performer = self.performers.get(number)
        if performer is None:
            session = self.genie.session(seed=self._seed(number))
            performer = self.performers[number] = Performer(number, session, self.router, self.temperature)
        return performer

    def _seed(self, number: int) -> int | None:
        return None if self.seed is None else self.seed + number

    def all_off(self, time: float, sender: Any = None) -> int:
        """Panic: every performer's sounding notes off, decoder states kept. The note-offs go to whoever sent the
        panic and to each performer's own last sender, who may be another client (with --reply-to none it would
        otherwise never hear that its notes ended)."""
        count = 0
        for performer in self.performers.values():
            to = sender if performer.last_sender in (None, sender) else Senders.of(sender, performer.last_sender)
            count += performer.all_off(time, to)
        return count

    def rebase(self, genie: PianoGenie, time: float, sender: Any) -> list[Any]:
        """Play `genie` from now on: every sounding note off (its note-off to `sender`, to whoever struck it and to
        the performer's last sender), every decoder back to its start state under the new model; temperature,
        keys and pedal are the player's and stay. Returns the performers' last senders, who are told."""
        self.genie = genie
        told = []
        for performer in self.performers.values():
            performer.all_off(time, Senders.of(sender, performer.last_sender))
            performer.session = genie.session(seed=self._seed(performer.number))
            told.append(performer.last_sender)
        return told
