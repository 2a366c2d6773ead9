"""The app shell: the `pianogenie` command over the engine, the bridge and the training packages.

Those three are subpackages, `pianogenie.engine`, `pianogenie.bridge` and `pianogenie.training`, whose folders sit
beside this one at the top of the repository: the wheel places them under pianogenie/ (setup.cfg's package_dir).
In a source checkout, installed editable or not, this package's path also holds the repository root, so that the
same names import from the folders as they are (a checkout run as `python -m pianogenie` from its root, e.g. an
older tree a benchmark compares with)."""

from pathlib import Path as _Path

_ROOT = _Path(__file__).resolve().parent.parent
if (_ROOT / "setup.cfg").is_file() and (_ROOT / "engine" / "__init__.py").is_file():
    __path__.append(str(_ROOT))  # noqa: F821 (a package's __path__)
