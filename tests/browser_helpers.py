"""Headless Chromium for the report tests: find it, load a page offline, read back body attributes."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest


def find_chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def chromium_or_skip() -> str:
    """The browser; skip where it is missing, except in CI, where .ci/run installs it."""
    chromium = find_chromium()
    if chromium is None:
        if os.environ.get("CI") == "true":
            pytest.fail("chromium is required in CI (Debian: apt-get install -y chromium)")
        pytest.skip("chromium is not installed (Debian: apt-get install -y chromium)")
    return chromium


def body_attributes(chromium: str, page: Path, profile_dir: Path) -> tuple[dict[str, str], str]:
    """Load `page` with every network lookup blocked; return the <body> data-* attributes a probe
    script set after loading, and Chromium's stderr (for assertion messages)."""
    command = [
        chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run",
        f"--user-data-dir={profile_dir}",
        "--host-resolver-rules=MAP * ~NOTFOUND",  # any network fetch would fail
        "--virtual-time-budget=5000", "--dump-dom", page.as_uri(),
    ]
    completed = subprocess.run(command, capture_output=True, text=True, timeout=180)
    body = re.search(r"<body[^>]*>", completed.stdout)
    if body is None:
        return {}, completed.stderr[-2000:]
    return dict(re.findall(r'(data-[a-z0-9-]+)="([^"]*)"', body.group(0))), completed.stderr[-2000:]
