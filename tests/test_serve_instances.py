"""`tinhso serve`: two gunicorn instances on one host do not share (and remove) one control socket."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tinhso.cli import gunicorn_argv

APP = '''
def application(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"ok"]
'''


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(tmp_path: Path, port: int) -> subprocess.Popen:
    argv = gunicorn_argv(host="127.0.0.1", port=port, chdir=str(tmp_path), app="tinyapp:application")
    env = {**os.environ, "HOME": str(tmp_path / "home"), "TINHSO_WORKERS": "1"}
    return subprocess.Popen([sys.executable, "-m", "gunicorn", *argv[1:]], env=env, cwd=tmp_path,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _get(port: int, timeout: float = 20) -> str:
    deadline = time.monotonic() + timeout
    while True:
        try:
            return urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2).read().decode()
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


@pytest.mark.smoke
def test_serve_turns_gunicorns_shared_control_socket_off():
    assert "--no-control-socket" in gunicorn_argv(host="127.0.0.1", port=8000, chdir="/tmp")


@pytest.mark.smoke
def test_stopping_one_instance_leaves_the_other_serving_and_no_shared_socket(tmp_path):
    (tmp_path / "home").mkdir()
    (tmp_path / "tinyapp.py").write_text(APP)
    first_port, second_port = _free_port(), _free_port()
    first, second = _start(tmp_path, first_port), _start(tmp_path, second_port)
    try:
        assert _get(first_port) == "ok" and _get(second_port) == "ok"
        assert not (tmp_path / "home" / ".gunicorn").exists()
        first.terminate()
        first.wait(timeout=60)  # gunicorn itself allows its workers 30 s (graceful_timeout)
        assert _get(second_port) == "ok"
    finally:
        for process in (first, second):
            if process.poll() is None:
                process.terminate()
                process.wait(timeout=60)
