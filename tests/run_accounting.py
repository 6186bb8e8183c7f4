"""Every collected test runs: a pytest plugin loaded by the root conftest.

- Items whose name carries a parameter but whose node id does not (schemathesis makes one item per API operation
  and, on pytest 9, gives them all the bare function's node id) get the parameter into their node id, so
  pytest-xdist can tell them apart and schedules every one of them.
- Two items with one node id stop the run at collection: under xdist only one of them would run.
- At the end the run prints how many tests were collected and how many were executed (a skip declared with a
  reason counts as executed: its report says why) and fails a green run in which the two differ.
"""

from collections import Counter

import pytest


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(session, config, items):
    for item in items:
        _give_parameter_its_own_node_id(item)
    _tag_xdist_groups(config, items)


def _tag_xdist_groups(config, items) -> None:
    """`--dist loadgroup` on pytest 9: xdist tags a grouped item by assigning `item._nodeid`, which pytest 9 no
    longer reads (a node id is derived from `item._id`), so groups were scattered over the workers and each worker
    paid for its own copy of a group's expensive session fixture (the replica tests' standby). Tag `_id` instead."""
    if not getattr(config.option, "loadgroup", False):
        return
    from _pytest.nodeid import coerce_node_id

    for item in items:
        names = sorted({str(mark.args[0] if mark.args else mark.kwargs.get("name", "default"))
                        for mark in item.iter_markers("xdist_group")})
        if not names or item.nodeid.endswith("@" + "_".join(names)):
            continue
        wanted = f"{item.nodeid}@{'_'.join(names)}"
        tagged = coerce_node_id(wanted)
        if str(tagged) == wanted:
            item._id = tagged


@pytest.hookimpl(trylast=True)
def pytest_collection_finish(session):
    duplicates = [nodeid for nodeid, n in Counter(item.nodeid for item in session.items).items() if n > 1]
    if duplicates:
        raise pytest.UsageError(
            "several tests share one node id, so pytest-xdist would run only one of each: "
            + ", ".join(duplicates[:10])
        )


def _give_parameter_its_own_node_id(item) -> None:
    name, original = item.name, getattr(item, "originalname", item.name)
    node_id = getattr(item, "_id", None)
    if node_id is None or name == original or node_id.params is not None:
        return
    if not (name.startswith(original + "[") and name.endswith("]")):
        return
    item._id = item.parent.id.child(original).with_params(name[len(original) + 1:-1])


class RunAccounting:
    """Lives in the process that reports (the xdist controller, or the only process)."""

    def __init__(self, config):
        self.config = config
        self.collected: list[str] | None = None
        self.executed: set[str] = set()

    @pytest.hookimpl(optionalhook=True)
    def pytest_xdist_node_collection_finished(self, node, ids):
        if self.collected is None:
            self.collected = list(ids)

    @pytest.hookimpl(trylast=True)
    def pytest_collection_finish(self, session):
        if not self.config.pluginmanager.has_plugin("dsession"):
            self.collected = [item.nodeid for item in session.items]

    def pytest_runtest_logreport(self, report):
        if report.when == "call" or (report.when == "setup" and report.outcome != "passed"):
            self.executed.add(report.nodeid)

    def missing(self) -> list[str]:
        return [nodeid for nodeid in dict.fromkeys(self.collected or []) if nodeid not in self.executed]

    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionfinish(self, session, exitstatus):
        if self.config.option.collectonly or self.collected is None:
            return
        collected, executed = len(self.collected), len(self.executed)
        if exitstatus == pytest.ExitCode.OK and (collected != executed or self.missing()):
            session.exitstatus = pytest.ExitCode.TESTS_FAILED

    def pytest_terminal_summary(self, terminalreporter, exitstatus, config):
        if config.option.collectonly or self.collected is None:
            return
        collected, executed = len(self.collected), len(self.executed)
        same = collected == executed and not self.missing()
        terminalreporter.write_line(f"run accounting: {collected} collected, {executed} executed",
                                    green=same, red=not same)
        if not same and exitstatus == pytest.ExitCode.OK:
            terminalreporter.write_line("collected but never run: " + ", ".join(self.missing()[:20]), red=True)


def pytest_configure(config):
    if not hasattr(config, "workerinput"):
        config.pluginmanager.register(RunAccounting(config), "tinhso-run-accounting")
