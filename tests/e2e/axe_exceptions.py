"""axe-core findings inside Streamlit's or Plotly's own widgets that our code cannot fix.

Each entry is (rule id, CSS fragment every offending node's target must contain, reason). The browser test ignores
exactly these and nothing else; ``docs/accessibility.md`` lists the same entries (a test checks the two agree).
"""

from __future__ import annotations

from typing import NamedTuple


class AxeException(NamedTuple):
    rule: str
    target: str
    reason: str


AXE_EXCEPTIONS: tuple[AxeException, ...] = ()
