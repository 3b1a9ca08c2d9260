"""Where browser tests save screenshots: artefacts of the run, never committed.

``ORDERSMITH_ARTEFACTS`` chooses the folder (default ``build/artefacts``, git-ignored);
screenshots go to its ``screenshots/`` folder.
"""

from __future__ import annotations

import os
from pathlib import Path


def screenshot_dir() -> Path:
    folder = Path(os.environ.get("ORDERSMITH_ARTEFACTS", "build/artefacts")) / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder
