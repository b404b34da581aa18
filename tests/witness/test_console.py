"""Witness pairing end to end in the real program: request, introduction, ending."""

from __future__ import annotations

from pathlib import Path

from tests.core.test_console import run_console


def test_from_request_to_introduction_to_ending(tmp_path: Path) -> None:
    result = run_console(tmp_path, "\n".join([
        "/as vic",
        "witness volunteer Europe/Helsinki group=spring",
        "/as mia",
        "witness request group=spring",
        "/as vic",
        "/press 1",
        "/as mia",
        "/press 1",
        "/room witness-1",
        "hi vic, thanks for this",
        "/dm",
        "witness end",
        "witness status",
    ]) + "\n")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Porchlight → vic (private)\n  Someone who's coming back has asked for a witness" in out
    assert "  Who: mia\n  Group: spring" in out
    assert "Porchlight → mia (private)\n  vic said yes to being your witness." in out
    assert "Porchlight → #witness-1 (private: mia, vic)\n  mia, meet vic: your witness." in out
    assert "mia #witness-1> hi vic, thanks for this" in out
    assert "I only understand" not in out.split("hi vic, thanks for this")[1].split("/dm")[0]
    assert "Porchlight → vic (private)\n  Your witness pairing with mia has ended." in out
    assert "Porchlight → mia (private)\n  Done. Your pairing with vic has ended." in out
    assert "You don't have a witness. witness request if you'd like one." in out
