"""The data scripts in assets/scripts/ share one command line and reproduce the bundled data."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from course import paths

DATA_SCRIPTS = {
    "make_evidence_data.py": ["evidence_log.csv"],
    "make_incident_data.py": ["incident_metrics.csv", "incident_timeline.csv"],
    "make_loadtest_data.py": ["loadtest.csv"],
    "make_metrics_data.py": ["wbr_monthly.csv", "wbr_weekly.csv"],
}


def _load(name: str):
    spec = importlib.util.spec_from_file_location(name[:-3], paths.assets_dir() / "scripts" / name)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("script", sorted(DATA_SCRIPTS))
def test_script_writes_the_bundled_data_into_out(script: str, tmp_path: Path, capsys) -> None:
    out = tmp_path / "nested" / "out"  # created when missing
    assert _load(script).main(["--out", str(out)]) == 0
    written = sorted(p.name for p in out.iterdir())
    assert written == DATA_SCRIPTS[script]
    printed = capsys.readouterr().out
    for name in written:
        assert (out / name).read_bytes() == paths.data_path(name).read_bytes(), name
        assert f"wrote {out / name} (" in printed


def test_every_script_takes_out_and_help(capsys) -> None:
    scripts = sorted(p.name for p in (paths.assets_dir() / "scripts").glob("make_*.py"))
    assert set(DATA_SCRIPTS) < set(scripts)
    for script in scripts:
        with pytest.raises(SystemExit) as exit_:
            _load(script).main(["--help"])
        assert exit_.value.code == 0
        assert "--out OUT" in capsys.readouterr().out, script
