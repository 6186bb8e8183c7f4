"""The setup contract as a new user meets it: `tinhso demo`, the printed login, the API, `tinhso audit verify`.

Runs the real command in a subprocess against a fresh SQLite file (the demo's database), whatever database the
rest of the suite uses.
"""

import http.cookiejar
import json
import os
import re
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

# One worker under `--dist loadgroup`: the module fixture loads and computes the whole demo province (the
# slowest setup of the suite), and scattered over two workers the two tests paid for it twice.
pytestmark = [pytest.mark.smoke, pytest.mark.xdist_group("demo_smoke")]


def _run(var_dir: Path, *args, check=True) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}}
    env["TINHSO_VAR_DIR"] = str(var_dir)
    return subprocess.run([sys.executable, "-m", "tinhso.cli", *args], env=env, capture_output=True, text=True,
                          check=check, timeout=900)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    var_dir = tmp_path_factory.mktemp("demo")
    result = _run(var_dir, "demo", "--no-serve")
    return var_dir, result.stdout


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_demo_prints_logins_for_every_role(demo):
    _, out = demo
    assert "Tỉnh Thanh Hóa" in out and "166 xã, phường, đặc khu" in out
    for username in ["quantri", "quantri.xa", "lanhdao.stp", "chuyenvien.stp", "motcua", "congdan", "hethong"]:
        assert re.search(rf"^\s+{re.escape(username)}\s", out, re.M), username
    assert "mật khẩu chung: " in out


def test_demo_serves_the_api_and_the_printed_login_works(demo):
    var_dir, out = demo
    password = re.search(r"mật khẩu chung: (\S+)\)", out).group(1)
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}}
    env.update(TINHSO_VAR_DIR=str(var_dir), TINHSO_WORKERS="1")
    server = subprocess.Popen([sys.executable, "-m", "tinhso.cli", "serve", "--port", str(port)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=2)
                break
            except OSError:
                time.sleep(0.2)
        body = json.load(urllib.request.urlopen(f"{base}/api/v1/units?search=thanh%20hoa", timeout=10))
        assert body["items"][0]["name"] == "Tỉnh Thanh Hóa"
        body = json.load(urllib.request.urlopen(f"{base}/api/v1/units?parent=38&page_size=200", timeout=10))
        assert body["total"] == 166

        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        page = opener.open(f"{base}/tai-khoan/dang-nhap/", timeout=10).read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        data = urllib.parse.urlencode({"username": "quantri", "password": password,
                                       "csrfmiddlewaretoken": token}).encode()
        request = urllib.request.Request(f"{base}/tai-khoan/dang-nhap/", data=data,
                                         headers={"Referer": f"{base}/tai-khoan/dang-nhap/"})
        home = opener.open(request, timeout=10).read().decode()
        assert "Nguyễn Văn Quản" in home and "Đăng xuất" in home
        me = json.load(opener.open(f"{base}/api/v1/me", timeout=10))
        assert me["username"] == "quantri"
    finally:
        server.terminate()
        server.wait(timeout=20)


def test_audit_verify_passes_after_demo_and_names_an_altered_row(demo, tmp_path):
    var_dir, _ = demo
    assert "toàn vẹn" in _run(var_dir, "audit", "verify").stdout
    copy = tmp_path / "var"
    copy.mkdir()
    (copy / "audit.key").write_bytes((var_dir / "audit.key").read_bytes())  # the chain's key lives beside the DB
    with sqlite3.connect(var_dir / "tinhso.sqlite3") as src, sqlite3.connect(copy / "tinhso.sqlite3") as dst:
        src.backup(dst)
        dst.execute("UPDATE audit_auditevent SET summary = 'bị sửa trái phép' WHERE seq = 42")
    result = _run(copy, "audit", "verify", check=False)
    assert result.returncode != 0
    assert "sự kiện số 42" in result.stderr
