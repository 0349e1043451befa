"""When a citizen has walked away: the idle rule, kept apart from Kivy so it can be tested.

After `idle_seconds` without a touch the screen asks "还在使用吗？" and counts down
`COUNTDOWN_SECONDS`; a touch anywhere continues, and at zero everything the citizen did is wiped
and the kiosk returns home for the next person. Nothing counts down while the screen is already
pristine (home, nothing entered) — there is nothing to protect — nor while a print job is under
way, because the citizen may be standing at the printer waiting for their pages.
"""

from __future__ import annotations

from dataclasses import dataclass

COUNTDOWN_SECONDS = 15


@dataclass
class IdleRule:
    idle_seconds: float
    countdown: float = COUNTDOWN_SECONDS
    last_touch: float = 0.0

    def touched(self, now: float) -> None:
        self.last_touch = now

    def state(self, now: float, *, pristine: bool, busy: bool) -> tuple[str, int]:
        """("active", 0), ("warning", seconds left) or ("expired", 0)."""
        if pristine or busy:
            self.last_touch = max(self.last_touch, now - self.idle_seconds / 2) if busy else now
            return "active", 0
        idle = now - self.last_touch
        if idle < self.idle_seconds:
            return "active", 0
        left = self.idle_seconds + self.countdown - idle
        if left > 0:
            return "warning", int(left + 0.999)
        return "expired", 0
