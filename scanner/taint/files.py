"""Files a program writes and then reads back or runs: the data goes through the file.

Agents save the model's code to a file and run it (`f.write(code)` then
`subprocess.run(["python", path])`), or save a reply and read it back later (`open(path).read()`).
Paths and open files carry `FileName` facts naming the file: a constant path's text, or the call
that created a temporary file (`NamedTemporaryFile`, `mkstemp`, whose `.name` and returned path
name it too). What is written into a named file (`write`, `writelines`, `Path.write_text`) is
kept per file for the whole module (a write in one function, a read in another); reading the file
(`open(path)` for reading, `read_text`) yields it, and a sink argument that runs files
(`SinkArgument.reads_files`: a command line, `runpy.run_path`) receives it too. A file name is
not data: flows never report `FileName` facts themselves.

May import: the lower layers, never another mixin."""

from __future__ import annotations

import libcst as cst

from .syntax import keyword_arg, positional_arg, var_path
from .values import EMPTY, NO_FACTS, FileName, Param, Taint, Value, make_container, through, unite, unite_all
from .vocabulary import FILE_OPENERS as OPENERS
from .vocabulary import PATH_TYPES as PATHS

TEMPORARY_FILES = frozenset(
    {"tempfile.NamedTemporaryFile", "tempfile.TemporaryFile", "tempfile.SpooledTemporaryFile"}
)
WRITERS = frozenset({"write", "writelines", "write_text", "write_bytes"})
READERS = frozenset({"read", "readline", "readlines", "read_text", "read_bytes"})
JOINS = frozenset({"os.path.join", "posixpath.join"})


class FileContents:
    """Files written and read back (mixed into `ModuleTaint`)."""

    def _file_result(
        self, node: cst.Call, method: str | None, receiver: Value | None, args: list, name: str | None
    ) -> Value | None:
        """What a call that names, writes or reads a file returns; None for any other call."""
        if name in TEMPORARY_FILES:
            return Value(frozenset({FileName(("temporary", id(node)))}), type_name=name, instance=True)
        if name in JOINS and args and all(value.const is not None for _, value in args[1:]):
            tail = "/".join(value.const for _, value in args[1:])
            return self._joined(args[0][0].value, args[0][1], tail, NO_FACTS, None)
        if name == "tempfile.mkstemp":  # (descriptor, path), both naming the new file
            named = Value(frozenset({FileName(("temporary", id(node)))}))
            return make_container(NO_FACTS, (named, named))
        if name in OPENERS or name in PATHS:
            first = args[0][1] if args and args[0][0].keyword is None else EMPTY
            files = _file_names(first)
            if first.const is not None:
                files |= {FileName(first.const)}
            if name in OPENERS:  # an open file holds its contents, not its path's data
                contents = self._contents(files) if not self._writes(node) else NO_FACTS
                return Value(unite(files, contents), type_name=name, instance=True)
            return Value(unite_all([files, *(value.all for _, value in args)]), type_name=name, instance=True)
        if receiver is None or method is None:
            return None
        files = _file_names(receiver)
        if not files:
            return None
        if method in WRITERS and args:
            data = frozenset(through(f, node) for f in args[0][1].all if isinstance(f, (Taint, Param)))
            for file in files:
                self._files[file.key] = unite(self._files.get(file.key, NO_FACTS), data)
            return EMPTY
        if method in READERS:
            return Value(unite(receiver.all, self._contents(files)))
        return None

    def _joined(
        self, base_node: cst.BaseExpression, base: Value, tail: str, data: frozenset, type_name: str | None
    ) -> Value | None:
        """A path built from a base and constant parts (`os.path.join(workdir, "gen.py")`,
        `Path(workdir) / "gen.py"`): it names the file `tail` under the base's own file name, or
        under the base as written (`workdir`, `self.root`: the same spelling names the same file).
        None when the base is neither."""
        facts = frozenset(f for f in unite(base.all, data) if not isinstance(f, FileName))
        bases = [f.key for f in _file_names(base)]
        constant = base.const if base.const is not None else (bases[0] if len(bases) == 1 else None)
        if isinstance(constant, str):  # a constant path: the file is named as a constant names it
            path = FileName(f"{constant.rstrip('/')}/{tail}")
            return Value(facts | {path}, type_name=type_name, instance=type_name is not None)
        if len(bases) != 1:
            if isinstance(base_node, cst.Call) and not (base.type_name in PATHS and base_node.args):
                bases = [("made by", id(base_node))]  # `os.path.join(tempfile.mkdtemp(), "gen.py")`
            else:
                inner = base_node.args[0].value if isinstance(base_node, cst.Call) else base_node
                spelled = var_path(inner)  # `Path(workdir)` is spelled by `workdir`
                if spelled is None:
                    return None
                bases = [("spelled", spelled)]
        if isinstance(bases[0], tuple) and bases[0][0] == "joined":  # `Path(d) / "sub" / "gen.py"`
            key = ("joined", bases[0][1], f"{bases[0][2]}/{tail}")
        else:
            key = ("joined", bases[0], tail)
        return Value(facts | {FileName(key)}, type_name=type_name, instance=type_name is not None)

    def _writes(self, node: cst.Call) -> bool:
        """Whether `open(...)` opens for writing (mode with w, a, x or +); an unknown mode reads."""
        mode = keyword_arg(node, "mode") or positional_arg(node, 1)
        text = self._literal(mode.value) if mode is not None else None
        return bool(text) and bool(set(text) & set("wax+"))

    def _contents(self, files: frozenset) -> frozenset:
        """The data written into any of `files` so far."""
        found: frozenset = NO_FACTS
        for file in files:
            found = unite(found, self._read("files", file.key, self._files.get(file.key, NO_FACTS)))
        return found

    def _holds_written_data(self, value: Value) -> bool:
        """Whether `value` names a file the module wrote data into."""
        return any(isinstance(f, Taint) for f in self._contents(_file_names(value)))

    def _with_contents(self, value: Value) -> Value:
        """`value` and the data written into the files it names: an element of a command line
        (`["python", path]`), or the argument itself (`runpy.run_path(path)`, a shell command
        spelling the path), by a file's constant path too."""
        files: set = set()
        for part in value.items if value.items is not None else (value,):
            files |= _file_names(part)
            if part.const is not None:  # a path, or a command line spelling it (`python gen.py`)
                files |= {FileName(word) for word in (part.const, *part.const.split())}
        written = self._contents(frozenset(files))
        if not written:
            return value
        return make_container(unite(value.facts, written), value.items, value.keys, type_name=value.type_name)


def _file_names(value: Value) -> frozenset:
    return frozenset(f for f in value.all if isinstance(f, FileName))
