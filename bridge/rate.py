"""Token buckets per sender: answers that are much larger than their requests (/genie/models) are given at a
bounded rate, so the bridge cannot be used to flood a spoofed address, nor kept busy answering one peer."""

from __future__ import annotations

from collections import OrderedDict
from typing import Callable, Hashable


class RateLimit:
    """`allow(key)` at most `burst` times at once and `per_second` on average, per key and (with `total_per_second`)
    over all keys together. Forgets the least recent keys beyond `max_keys`, so spoofed senders cost bounded memory."""

    def __init__(self, per_second: float, burst: float, clock: Callable[[], float], total_per_second: float | None = None,
                 max_keys: int = 1024):
        self.per_second, self.burst, self.clock, self.max_keys = per_second, burst, clock, max_keys
        self._buckets: OrderedDict[Hashable, tuple[float, float]] = OrderedDict()  # key -> (tokens, at)
        self._total = None if total_per_second is None else [total_per_second * 2, None, total_per_second]
        self.refused = 0

    def allow(self, key: Hashable) -> bool:
        now = self.clock()
        tokens, at = self._buckets.pop(key, (self.burst, now))
        tokens = min(self.burst, tokens + (now - at) * self.per_second)
        allowed = tokens >= 1.0 and self._take_total(now)
        self._buckets[key] = (tokens - 1.0 if allowed else tokens, now)
        if len(self._buckets) > self.max_keys:
            self._buckets.popitem(last=False)
        if not allowed:
            self.refused += 1
        return allowed

    def _take_total(self, now: float) -> bool:
        if self._total is None:
            return True
        tokens, at, rate = self._total
        tokens = min(rate * 2, tokens + (now - (now if at is None else at)) * rate)
        if tokens < 1.0:
            self._total[:2] = [tokens, now]
            return False
        self._total[:2] = [tokens - 1.0, now]
        return True
