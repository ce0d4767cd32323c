"""How a console-script run's process starts and ends (`aisec.lifetime`).

A `check` run starts up without cyclic garbage collection: the collector is off while aisec, the
plugins and the session are made, and back on, with what they made frozen, before the first file
is read. Other commands, and `aisec.cli.main` called in-process, leave the collector alone. A
full-path run ends without the interpreter's teardown, but with its exit handlers run and its
output flushed, unless another thread is still running.

Each case runs in a fresh interpreter: freezing or ending this one is not an option."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

UNIT = textwrap.dedent(
    """
    import gc, json, sys
    from aisec import lifetime

    case = sys.argv[1]
    if case == "already-off":
        gc.disable()
    if case != "no-pause":
        lifetime.pause_collector()
    during = gc.isenabled()
    kept = [object() for _ in range(10)]
    lifetime.started()
    lifetime.started()  # a second end of the pause changes nothing
    print(json.dumps({"during": during, "after": gc.isenabled(), "frozen": gc.get_freeze_count()}))
    """
)


def _in_project(tmp_path, script: str, *argv: str) -> subprocess.CompletedProcess:
    """`script` run with `argv` in a fresh interpreter, in `tmp_path`, with the full path."""
    return subprocess.run(
        [sys.executable, "-c", script, *argv],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
        env={"AISEC_FAST_PATH": "off", "PATH": "", "HOME": str(tmp_path)},
    )


def _unit(tmp_path, case: str) -> dict:
    done = _in_project(tmp_path, UNIT, case)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_the_pause_turns_the_collector_off_and_started_freezes_and_turns_it_back_on(tmp_path) -> None:
    seen = _unit(tmp_path, "pause")
    assert seen["during"] is False
    assert seen["after"] is True
    assert seen["frozen"] > 1_000  # the interpreter's and aisec's objects, made before `started`


def test_started_without_a_pause_does_nothing(tmp_path) -> None:
    assert _unit(tmp_path, "no-pause") == {"during": True, "after": True, "frozen": 0}


def test_a_collector_turned_off_by_someone_else_stays_off_and_nothing_is_frozen(tmp_path) -> None:
    assert _unit(tmp_path, "already-off") == {"during": False, "after": False, "frozen": 0}


RUN = textwrap.dedent(
    """
    import atexit, gc, json, sys
    import aisec.run as run

    seen = {}
    load_plugins = run.load_plugins

    def watched_load_plugins(*args, **kwargs):
        seen["plugins"] = gc.isenabled()
        return load_plugins(*args, **kwargs)

    run.load_plugins = watched_load_plugins
    import aisec.cli as cli

    run_check = cli.run_check

    def watched_run_check(*args, **kwargs):
        seen["scan"] = [gc.isenabled(), gc.get_freeze_count()]
        return run_check(*args, **kwargs)

    cli.run_check = watched_run_check
    from aisec.fastpath import console_main

    sys.argv = ["aisec", *sys.argv[1:]]
    atexit.register(lambda: print(json.dumps(seen), file=sys.stderr))
    console_main()
    """
)

FLOW = (
    "from flask import Flask, request\nfrom openai import OpenAI\n\napp = Flask(__name__)\n"
    "client = OpenAI()\n\n\n@app.post('/ask')\ndef ask():\n    q = request.json['q']\n"
    "    r = client.chat.completions.create(model='m', messages=[{'role': 'system', 'content': q}])\n"
    "    return r.choices[0].message.content\n"
)


def _console(tmp_path, *argv: str) -> tuple[dict, str, int]:
    done = _in_project(tmp_path, RUN, *argv)
    return json.loads(done.stderr.strip().splitlines()[-1]), done.stdout, done.returncode


@pytest.mark.parametrize("source", [FLOW, "print('hello')\n"], ids=["parsed", "trigger-free"])
def test_a_check_run_loads_its_plugins_paused_and_scans_with_the_collector_on(tmp_path, source) -> None:
    (tmp_path / "app.py").write_text(source)
    seen, stdout, code = _console(tmp_path, "check", "--no-cache", "--format", "json", "app.py")
    assert seen["plugins"] is False
    enabled, frozen = seen["scan"]
    assert enabled is True
    assert frozen > 5_000  # the session, the plugins, the argument parser: all of it
    findings = json.loads(stdout)["findings"]
    assert [f["code"] for f in findings] == (["AIS201", "AIS303"] if source == FLOW else [])
    assert code == (1 if source == FLOW else 0)


def test_other_commands_keep_the_collector_on(tmp_path) -> None:
    seen, stdout, code = _console(tmp_path, "rules")
    assert seen["plugins"] is True
    assert "scan" not in seen
    assert code == 0 and "AIS201" in stdout


# Every script below starts with this: `end` announces its quick exit on stderr.
WATCHED_EXIT = textwrap.dedent(
    """
    import os

    quick_exit = os._exit

    def watched_exit(code):
        os.write(2, b"quick exit\\n")
        quick_exit(code)

    os._exit = watched_exit
    """
)

END = WATCHED_EXIT + textwrap.dedent(
    """
    import atexit, sys, threading, time

    atexit.register(lambda: print("exit handler ran", file=sys.stderr))
    if sys.argv[1] == "thread":
        import aisec.cli as cli

        run = cli.main

        def main_leaving_a_thread(*args, **kwargs):  # still running when the process ends
            code = run(*args, **kwargs)

            def late():
                time.sleep(0.3)
                print("thread done", file=sys.stderr)

            threading.Thread(target=late).start()
            return code

        cli.main = main_leaving_a_thread
    from aisec.fastpath import console_main

    sys.argv = ["aisec", "check", "--no-cache", "--format", "json", sys.argv[2]]
    console_main()
    print("not reached", file=sys.stderr)
    """
)


@pytest.mark.parametrize("source", [FLOW, "print('hello')\n"], ids=["parsed", "trigger-free"])
def test_a_full_path_run_ends_without_teardown_but_with_its_exit_handlers_and_output(
    tmp_path, source
) -> None:
    (tmp_path / "app.py").write_text(source)
    done = _in_project(tmp_path, END, "alone", "app.py")
    assert done.returncode == (1 if source == FLOW else 0)
    assert len(json.loads(done.stdout)["findings"]) == (2 if source == FLOW else 0)  # all of it flushed
    assert "exit handler ran" in done.stderr
    assert "quick exit" in done.stderr and "not reached" not in done.stderr


def test_a_run_with_another_thread_still_running_ends_the_ordinary_way(tmp_path) -> None:
    (tmp_path / "app.py").write_text(FLOW)
    done = _in_project(tmp_path, END, "thread", "app.py")
    assert done.returncode == 1
    assert len(json.loads(done.stdout)["findings"]) == 2
    # shutdown waited for the thread and ran the handler, once
    assert done.stderr.count("exit handler ran") == 1
    assert "thread done" in done.stderr and "quick exit" not in done.stderr


STREAMS = WATCHED_EXIT + textwrap.dedent(
    """
    import sys
    from aisec import lifetime

    class Broken:
        def write(self, text):
            return len(text)

        def flush(self):
            raise OSError("the reader has gone")

    print("report")
    if sys.argv[1] == "no-stderr":
        sys.stderr = None  # as when the descriptor was closed before Python started
    else:
        sys.stdout = Broken()
    lifetime.end(3)
    """
)


def test_end_flushes_the_streams_there_are_and_leaves_a_broken_one_to_the_ordinary_exit(tmp_path) -> None:
    no_stderr = _in_project(tmp_path, STREAMS, "no-stderr")
    assert (no_stderr.returncode, no_stderr.stdout, no_stderr.stderr) == (3, "report\n", "quick exit\n")
    broken = _in_project(tmp_path, STREAMS, "broken-stdout")
    assert "quick exit" not in broken.stderr  # the interpreter's own exit reports the failed flush
    assert broken.returncode == 120 and "the reader has gone" in broken.stderr


def _closed(tmp_path, stream: int, *argv: str) -> subprocess.CompletedProcess:
    """`python -m aisec ARGV` (the console script's entry point) started without the standard
    stream `stream` (`aisec ... >&-`), with its own cache folder, fast path on."""
    import os

    return subprocess.run(
        [sys.executable, "-m", "aisec", *argv],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
        env={**os.environ, "XDG_CACHE_HOME": str(tmp_path / "xdg"), "AISEC_FAST_PATH": ""},
        preexec_fn=lambda: os.close(stream),
    )


@pytest.mark.skipif(sys.platform == "win32", reason="closes a descriptor before the run starts")
def test_a_run_without_standard_output_ends_with_its_exit_code_and_no_traceback(tmp_path) -> None:
    """`aisec check x.py >&-` once raised AttributeError (`sys.stdout` is None) from the fast
    path's write and flush; it now runs as with `> /dev/null`: same exit code, nothing printed."""
    (tmp_path / "clean.py").write_text("print('hello')\n")
    (tmp_path / "app.py").write_text(FLOW)
    for _ in range(2):  # the first run writes the trigger table, the second answers from it
        done = _closed(tmp_path, 1, "check", "clean.py")
        assert (done.returncode, done.stdout) == (0, ""), done.stderr
        assert "Traceback" not in done.stderr
    done = _closed(tmp_path, 1, "check", "--no-cache", "app.py")
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    done = _closed(tmp_path, 2, "check", "--select", "NOPE", "app.py")
    assert (done.returncode, done.stderr) == (2, "")


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
@pytest.mark.parametrize("name", ["clean.py", "app.py"])
def test_a_report_that_cannot_be_written_is_a_one_line_error(tmp_path, name) -> None:
    """Standard output on a full disk: the report is lost, so the run says so in one line and
    exits 2 (it was an internal error with a hint to report a bug), through the fast path's
    answer and through the full path."""
    import os

    (tmp_path / "clean.py").write_text("print('hello')\n")
    (tmp_path / "app.py").write_text(FLOW)
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "xdg"), "AISEC_FAST_PATH": ""}
    for _ in range(2):  # the second clean run is the fast path's answer
        with open("/dev/full", "w") as full:
            done = subprocess.run(
                [sys.executable, "-m", "aisec", "check", name],
                stdout=full,
                stderr=subprocess.PIPE,
                text=True,
                timeout=120,
                cwd=tmp_path,
                env=env,
            )
        assert done.returncode == 2
        assert done.stderr.splitlines() == [
            "aisec: error: cannot write the report to standard output: No space left on device; "
            "free the space or write it to a file with --output"
        ]


SCREENS = textwrap.dedent(
    """
    import atexit, gc, json, sys
    import aisec.engine as engine

    seen = []

    def watch(name):
        step = getattr(engine.FileScanner, name)

        def watched(self, *args, **kwargs):
            seen.append([name, gc.get_freeze_count()])
            return step(self, *args, **kwargs)

        setattr(engine.FileScanner, name, watched)

    watch("_screened")
    watch("_run_rules")
    from aisec.fastpath import console_main

    sys.argv = ["aisec", *sys.argv[1:]]
    atexit.register(lambda: print(json.dumps(seen), file=sys.stderr))
    console_main()
    """
)


def test_a_check_run_freezes_what_its_first_screened_file_made_once(tmp_path) -> None:
    """What the first screened file makes for the process (the trigger table's catalog facts,
    the screens and their modules) is frozen between its screens and its rules; nothing there
    for a later file. In-process callers never are (`test_imports_frozen`: with libcst imported
    first, nothing is frozen)."""
    for name in ("a.py", "b.py"):
        (tmp_path / name).write_text(FLOW + f"\n# {name}\n")
    done = _in_project(tmp_path, SCREENS, "check", "--no-cache", "--jobs", "1", "--format", "json", ".")
    assert done.returncode == 1, done.stderr  # both flows were found
    seen = json.loads(done.stderr.strip().splitlines()[-1])
    assert [name for name, _ in seen] == ["_screened", "_run_rules"] * 2
    (_, screens), (_, rules), (_, later_screens), (_, later_rules) = seen
    assert rules > screens + 1_000  # frozen after the first file's screens
    assert later_rules <= later_screens  # nothing after a later file's (frozen objects can die)
