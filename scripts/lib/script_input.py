"""What the Python scripts share about their input and output. A refusal is exit 2 with
the value named and no traceback, before any heavy import (torch, matplotlib: each takes
a second or more) and before any work; a file is written whole or not at all.

A JSON document is checked against a shape before it is read: the GPU machines have no
package registry, so a schema library is not an option there. A shape is
  a type; a tuple of shapes (any one of them will do); a set of the allowed values;
  a dict {key: shape}, a key ending in '?' optional, other keys allowed;
  {str: shape}: an object whose every value has that shape; [shape]: a list of such;
  a function (value, where) -> the problem, or None (NUMBER, COUNT, AXES... below).
"""
import json
import os
import sys
import tempfile

NAMES = {int: "an integer", float: "a number", str: "a string", bool: "true or false", dict: "an object",
         list: "a list", type(None): "null"}


def _say(where, text):
    return f"{where}: {text}" if where else text


def _found(value):
    return f"found {NAMES.get(type(value), type(value).__name__)}"


def _at(where, key):
    return f"{where}.{key}" if where else key


def NUMBER(value, where):
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return None
    return _say(where, f"expected a number, {_found(value)}")


def whole(minimum):
    """The shape of a whole number of at least minimum."""
    def check(value, where):
        if isinstance(value, int) and not isinstance(value, bool) and value >= minimum:
            return None
        return _say(where, f"expected a whole number of at least {minimum}, found {json.dumps(value)[:40]}")
    return check


COUNT = whole(1)


def SAMPLES(value, where):
    return problem(value, [NUMBER], where) or (None if value else _say(where, "expected at least one sample, found none"))


def problem(value, shape, where=""):
    """The first place where value does not have shape, said as 'where: what', or None."""
    if isinstance(shape, type):
        if isinstance(value, shape) and (shape is bool or not isinstance(value, bool)):
            return None
        return _say(where, f"expected {NAMES[shape]}, {_found(value)}")
    if isinstance(shape, tuple):
        found = [problem(value, s, where) for s in shape]
        if None in found:
            return None
        # The alternative that matched here and failed deeper in says more than the others.
        deeper = [p for p in found if not p.startswith(_say(where, "expected"))]
        return (deeper or found)[0]
    if isinstance(shape, (set, frozenset)):
        if value in shape:
            return None
        return _say(where, f"expected {' or '.join(map(json.dumps, sorted(shape)))}, found {json.dumps(value)[:40]}")
    if callable(shape):
        return shape(value, where)
    if isinstance(shape, list):
        if not isinstance(value, list):
            return _say(where, f"expected a list, {_found(value)}")
        return next((p for i, v in enumerate(value) if (p := problem(v, shape[0], f"{where}[{i}]"))), None)
    if not isinstance(value, dict):
        return _say(where, f"expected an object, {_found(value)}")
    if str in shape:
        return next((p for k, v in value.items() if (p := problem(v, shape[str], _at(where, k)))), None)
    for key, sub in shape.items():
        name = key.rstrip("?")
        if name in value:
            found = problem(value[name], sub, _at(where, name))
            if found:
                return found
        elif not key.endswith("?"):
            return f"{_at(where, name)}: missing"
    return None


# The fields of a shishu-bench report (reports/SCHEMA.md) that these scripts read.
# The phases' declarations, as shishu-bench writes them (bench/phases.json): which shape
# axes each phase's points carry. Read, not restated here, so a new phase needs no edit.
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "bench", "phases.json"),
          encoding="utf-8") as _f:
    PHASES = {row["name"]: row for row in json.load(_f)}


def AXES(axes, where):
    """A point's axes, with the sizes its phase declares (an axis with a default may be left out)."""
    shape = {"model": str, "phase": set(PHASES), "dtype": str, "device": str, "mode": str}
    row = PHASES.get(axes.get("phase")) if isinstance(axes, dict) else None
    for use in row["shape"] if row else [{"axis": "batch"}]:
        shape[use["axis"] + ("?" if "default" in use else "")] = COUNT
    return problem(axes, shape, where)


METRIC = (NUMBER, {"samples": SAMPLES, "median?": NUMBER})
POINT = {"id": str, "status": str, "axes": AXES, "metrics": {str: METRIC}}
DEVICE = {"device?": str, "name?": str, "measured_ceilings?": [{"copy_bytes_per_s": NUMBER}]}
REPORT = {"schema": {"shishu-bench/report"}, "context": {"devices?": [DEVICE], "settings?": dict}, "points": [POINT]}


_made = []  # the folders make_folder made, deepest first: a refusal removes them again


def refuse(prog, message):
    print(f"{prog}: error: {message}", file=sys.stderr)
    for d in _made:
        try:
            os.rmdir(d)  # only while still empty
        except OSError:
            pass
    sys.exit(2)


def read_json(prog, path, shape):
    """The document at path, refused (exit 2) when it cannot be read or lacks the shape."""
    try:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
    except (OSError, ValueError) as e:  # ValueError: not JSON, or not UTF-8
        refuse(prog, f"{path}: cannot be read as JSON: {e}")
    found = problem(doc, shape, "")
    if found:
        refuse(prog, f"{path}: {found}")
    return doc


def need_modules(prog, *names):
    """The modules this Python lacks are refused by name, found without importing them."""
    import importlib.util
    missing = [n for n in names if importlib.util.find_spec(n) is None]
    if missing:
        refuse(prog, f"this Python ({sys.executable}) has no {', '.join(missing)}")


def writable_file(prog, flag, path):
    """path can be written as a file: not a folder, in a folder where a file can be made."""
    folder = os.path.dirname(os.path.abspath(path)) if path else ""
    if not path or path.endswith("/") or os.path.isdir(path):
        refuse(prog, f"{flag} '{path}': expected a file name, not a folder")
    if not os.path.isdir(folder):
        refuse(prog, f"{flag} '{path}': '{folder}' is not a folder")
    try:  # root passes os.access even on /proc: only making a file tells
        os.remove(tempfile.mkstemp(dir=folder, prefix=".write-test.")[1])
    except OSError as e:
        refuse(prog, f"{flag} '{path}': cannot write in '{folder}': {e.strerror}")


def make_folder(prog, flag, path):
    """Makes path (a folder) where it is missing, and checks that a file can be made in it.
    The folders it made are removed again by a later refusal."""
    if os.path.exists(path) and not os.path.isdir(path):
        refuse(prog, f"{flag} '{path}' is a file, not a folder")
    up = os.path.abspath(path)
    while not os.path.lexists(up):
        _made.append(up)
        up = os.path.dirname(up)
    try:
        os.makedirs(path, exist_ok=True)
        os.remove(tempfile.mkstemp(dir=path, prefix=".write-test.")[1])
    except OSError as e:
        refuse(prog, f"{flag} '{path}' cannot be made or written: {e.strerror}")


def write_atomically(path, text):
    """Writes beside path, then renames: path is the old file or the whole new one, and no
    temporary file is left either way."""
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(os.path.abspath(path)), prefix=os.path.basename(path) + ".")
    umask = os.umask(0)
    os.umask(umask)
    try:
        os.chmod(tmp, 0o666 & ~umask)  # as open() would make it; mkstemp's file is private
        with os.fdopen(fd, "w") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.remove(tmp)
        except OSError:
            pass
        raise
