"""Rewrite the README's sample previews from what `syndicate preview` prints today.

Run: .venv/bin/python tests/update_readme.py (or `make readme`), then read the diff:
test_readme.py fails until the README shows what the command really prints.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from conftest import copy_sample_blog  # noqa: E402
from test_readme import PREVIEWS  # noqa: E402


def main() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    syndicate = str(Path(sys.executable).with_name("syndicate"))
    env = {**os.environ, "NO_COLOR": "1"}
    with tempfile.TemporaryDirectory() as folder:
        site = copy_sample_blog(Path(folder) / "blog")
        subprocess.run([syndicate, "build"], cwd=site, env=env, check=True,
                       capture_output=True)
        for args in PREVIEWS:
            command = "$ syndicate preview " + " ".join(args)
            start = readme.index(command) + len(command) + 1
            end = readme.index("```", start)
            shown = subprocess.run([syndicate, "preview", *args], cwd=site, env=env,
                                   capture_output=True, text=True, check=True).stdout
            readme = readme[:start] + shown + readme[end:]
    (ROOT / "README.md").write_text(readme, encoding="utf-8")


if __name__ == "__main__":
    main()
