"""The run accounting plugin: every collected test runs, or the run fails and says which did not."""

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
pytest_plugins = ["pytester"]

# Reproduces what schemathesis does on pytest 9: one item per API operation, each named `test_x[<operation>]`
# with `originalname="test_x"`, so pytest builds every node id from the bare function name.
PER_OPERATION_ITEMS = '''
import pytest

def pytest_pycollect_makeitem(collector, name, obj):
    if name == "test_operation":
        return OperationCase.from_parent(collector, name=name, obj=obj)

class OperationCase(pytest.Class):
    def collect(self):
        for label in ("GET /a", "POST /b", "GET /c"):
            yield pytest.Function.from_parent(self.parent, name=f"test_operation[{label}]",
                                              callobj=self.obj, originalname="test_operation")
'''


def _plugin_conftest(pytester, extra: str = "") -> None:
    pytester.makeconftest('pytest_plugins = ["tests.run_accounting"]\n' + extra)


def _run(pytester, *args):
    """A fresh pytest process with no auto-loaded plugins (no Django), importing the plugin under test."""
    return pytester.runpytest_subprocess(*args)


@pytest.fixture(autouse=True)
def _plugin_importable(monkeypatch):
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")


@pytest.mark.smoke
def test_per_operation_items_get_distinct_node_ids(pytester):
    _plugin_conftest(pytester, PER_OPERATION_ITEMS)
    pytester.makepyfile("def test_operation():\n    pass\n")
    result = _run(pytester, "--collect-only", "-q")
    result.stdout.fnmatch_lines(["*test_operation?GET /a?", "*test_operation?POST /b?", "*test_operation?GET /c?"])


@pytest.mark.smoke
def test_every_per_operation_item_runs_under_xdist_loadgroup(pytester):
    _plugin_conftest(pytester, PER_OPERATION_ITEMS)
    pytester.makepyfile("def test_operation():\n    pass\n\ndef test_plain():\n    pass\n")
    result = _run(pytester, "-p", "xdist", "-n", "2", "--dist", "loadgroup")
    result.stdout.fnmatch_lines(["run accounting: 4 collected, 4 executed", "*4 passed*"])
    assert result.ret == 0


@pytest.mark.smoke
def test_two_items_with_one_node_id_stop_the_run(pytester):
    _plugin_conftest(pytester, PER_OPERATION_ITEMS.replace(
        "def collect(self):", "def collect(self):\n        yield from self._twins()\n\n    def _twins(self):"
    ).replace(
        'yield pytest.Function.from_parent(self.parent, name=f"test_operation[{label}]",',
        'item = pytest.Function.from_parent(self.parent, name=f"test_operation[{label}]",'
    ).replace(
        'callobj=self.obj, originalname="test_operation")',
        'callobj=self.obj, originalname="test_operation")\n'
        '            item._id = self.parent.id.child("test_operation").with_params("same")\n'
        '            yield item',
    ))
    pytester.makepyfile("def test_operation():\n    pass\n")
    result = _run(pytester)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*several tests share one node id*test_operation?same?*"])


@pytest.mark.smoke
def test_a_green_run_that_skipped_running_a_collected_test_fails(pytester):
    # A scheduler that drops a test without a report: the run was "green", and that is the lie to catch.
    _plugin_conftest(pytester, '''
import pytest

@pytest.hookimpl(tryfirst=True)
def pytest_runtestloop(session):
    for i, item in enumerate(session.items[:-1]):
        nextitem = session.items[i + 1] if i + 1 < len(session.items) - 1 else None
        item.config.hook.pytest_runtest_protocol(item=item, nextitem=nextitem)
    return True
''')
    pytester.makepyfile("def test_one():\n    pass\n\ndef test_two():\n    pass\n\ndef test_dropped():\n    pass\n")
    result = _run(pytester)
    result.stdout.fnmatch_lines(["run accounting: 3 collected, 2 executed",
                                 "collected but never run: *test_dropped", "*2 passed*"])
    assert result.ret == pytest.ExitCode.TESTS_FAILED


@pytest.mark.smoke
def test_declared_skips_count_as_executed(pytester):
    _plugin_conftest(pytester)
    pytester.makepyfile("import pytest\n\n@pytest.mark.skip(reason='not on this database')\n"
                        "def test_skipped():\n    pass\n\ndef test_run():\n    pass\n")
    result = _run(pytester)
    result.stdout.fnmatch_lines(["run accounting: 2 collected, 2 executed", "*1 passed, 1 skipped*"])
    assert result.ret == 0


@pytest.mark.smoke
def test_one_xdist_group_runs_on_one_worker(pytester):
    """A group shares an expensive session fixture (the replica tests' standby): one worker must run it all."""
    _plugin_conftest(pytester)
    pytester.makepyfile('''
import os
import pytest

pytestmark = pytest.mark.xdist_group("costly")

@pytest.mark.parametrize("n", range(8))
def test_member(n):
    assert os.environ["PYTEST_XDIST_WORKER"]
''')
    pytester.makepyfile(other="import pytest\n\n@pytest.mark.parametrize('n', range(8))\ndef test_free(n):\n    pass\n")
    result = _run(pytester, "-p", "xdist", "-n", "2", "--dist", "loadgroup", "-v")
    assert result.ret == 0
    members = [line for line in result.stdout.lines if line.startswith("[gw") and "test_member" in line]
    assert len(members) == 8 and all("PASSED" in line and "@costly" in line for line in members)
    workers = {line.split()[0] for line in members}
    assert len(workers) == 1, workers
