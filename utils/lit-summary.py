#!/usr/bin/env python3
"""Prints "N passed, N failed, N skipped" from lit's xunit report.

Exits 1 when the report is missing, a test failed, or no test passed.
Unsupported tests are skipped; expected failures (XFAIL) count as passed.
"""
import sys
import xml.etree.ElementTree as ElementTree


def main(path):
    try:
        root = ElementTree.parse(path).getroot()
    except (OSError, ElementTree.ParseError) as error:
        print(f"lit-summary: no lit report ({error})")
        print("0 passed, 1 failed")
        return 1
    passed = failed = skipped = 0
    for case in root.iter("testcase"):
        if case.find("failure") is not None or case.find("error") is not None:
            failed += 1
        elif case.find("skipped") is not None:
            skipped += 1
        else:
            passed += 1
    print(f"{passed} passed, {failed} failed, {skipped} skipped")
    return 0 if failed == 0 and passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
