#!/usr/bin/env python3
"""Lists the functions of C++ files by length in lines, longest first.

  utils/function-lengths.py [--over N] FILE...

A function is a brace block opened after `)` (plus qualifiers) at namespace
or class scope; lambdas and blocks inside a function count toward it.
Comments, strings and character literals are skipped.
"""
import argparse
import re
import sys


def strip(text):
    """Blanks comments and literals, keeping newlines."""
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i)); i = j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r"[^\n]", " ", text[i:j])); i = j
        elif c in "\"'":
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == "\\" else 1
            out.append(" " * (j + 1 - i)); i = j + 1
        else:
            out.append(c); i += 1
    return "".join(out)


def functions(path):
    text = strip(open(path).read())
    # Stack of (kind, start line, name): kind is "scope" or "function".
    stack, found = [], []
    for m in re.finditer(r"[{}]", text):
        line = text.count("\n", 0, m.start()) + 1
        if m.group() == "{":
            if any(k == "function" for k, _, _ in stack):
                stack.append(("block", line, ""))
                continue
            head = text[max(0, m.start() - 400):m.start()]
            head = head.split(";")[-1].split("}")[-1]
            is_function = re.search(r"\)\s*(const|override|final|noexcept|"
                                    r"->\s*[\w:<>,\s*&]+|\s)*$", head)
            if is_function and not re.search(
                    r"\b(if|for|while|switch|catch)\s*\(", head.split("\n")[-1]):
                name = re.findall(r"([\w:~]+)\s*\(", head)
                stack.append(("function", line, name[0] if name else "?"))
            else:
                stack.append(("scope", line, ""))
        elif stack:
            kind, start, name = stack.pop()
            if kind == "function":
                found.append((line - start + 1, f"{path}:{start}", name))
    return found


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--over", type=int, default=0,
                        help="only functions longer than N lines")
    parser.add_argument("files", nargs="+")
    args = parser.parse_args()
    rows = [f for path in args.files for f in functions(path)]
    rows = sorted((r for r in rows if r[0] > args.over), reverse=True)
    for length, where, name in rows:
        print(f"{length:5d}  {name}  {where}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
