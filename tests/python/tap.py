# SPDX-License-Identifier: LGPL-2.1-or-later
"""Run unittest modules and report each test case as one TAP line.

    python3 tap.py [--first N] MODULE...

Numbers the results from N (default 1) and prints no plan: the caller
(tests/check-python.sh) adds its own results and prints the plan last.
A skipped test is "ok N - NAME # SKIP REASON"; a failure is followed by
its traceback as "# " lines. Exits 1 when anything failed.
"""

import importlib
import os
import sys
import traceback
import unittest


class TAPResult(unittest.TestResult):
    def __init__(self, first):
        super().__init__()
        self.n = first - 1
        self.any_failed = False
        self._problems = []
        self._skip = None

    def _name(self, test):
        doc = test.shortDescription()
        name = test.id().split(".", 1)[-1]
        return "%s: %s" % (name, doc) if doc else name

    def startTest(self, test):
        super().startTest(test)
        self._problems = []
        self._skip = None

    def _problem(self, test, err):
        self._problems.append("".join(traceback.format_exception(*err)))

    def addError(self, test, err):
        super().addError(test, err)
        self._problem(test, err)
        if not isinstance(test, unittest.TestCase):
            # setUpClass or a module's setup: no test ran to report it.
            self._emit(str(test), False)

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self._problem(test, err)

    def addSubTest(self, test, subtest, err):
        super().addSubTest(test, subtest, err)
        if err is not None:
            self._problems.append(
                "%s\n%s" % (subtest.id(), "".join(traceback.format_exception(*err)))
            )

    def addSkip(self, test, reason):
        super().addSkip(test, reason)
        self._skip = reason

    def addUnexpectedSuccess(self, test):
        super().addUnexpectedSuccess(test)
        self._problems.append("unexpected success")

    def _emit(self, name, ok, skip=None):
        self.n += 1
        line = "%s %d - %s" % ("ok" if ok else "not ok", self.n, name.replace("#", "\\#"))
        if skip is not None:
            line += " # SKIP " + " ".join(str(skip).split())
        print(line)
        if not ok:
            self.any_failed = True
            for p in self._problems:
                for text in p.rstrip().splitlines():
                    print("# " + text)
        sys.stdout.flush()

    def stopTest(self, test):
        super().stopTest(test)
        self._emit(self._name(test), not self._problems, self._skip)


def main(argv):
    first = 1
    if argv[:1] == ["--first"]:
        first = int(argv[1])
        argv = argv[2:]
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    loader = unittest.TestLoader()
    suite = unittest.TestSuite()
    for name in argv:
        suite.addTests(loader.loadTestsFromModule(importlib.import_module(name)))
    result = TAPResult(first)
    suite.run(result)
    return 1 if result.any_failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
