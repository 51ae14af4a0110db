"""``run_script``: a learner's script runs like ``python FILE ARGS`` with the engine as torch."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from gradtui.engine.script import run_script

# Python 3.13 marks the call that raised under its line (`~~~~^^`); 3.11 and 3.12 print no
# marker for an expression that fills the whole line. gradtui prints what the running Python does.
MARKS_CALLS = sys.version_info >= (3, 13)


def _write(tmp_path: Path, source: str, name: str = "learner.py") -> str:
    path = tmp_path / name
    path.write_text(source)
    return str(path)


def test_script_output_and_exit_status(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    path = _write(tmp_path, "import torch\nx = torch.ones(2, requires_grad=True)\n"
                            "y = (x * 3).sum()\ny.backward()\nprint(x.grad)\n"
                            "print(__name__, type(x))\nprint(type(__builtins__).__name__)\n")
    assert run_script(path, []) == 0
    assert capsys.readouterr().out == ("tensor([3., 3.])\n__main__ <class 'torch.Tensor'>\n"
                                       "module\n")  # python's __main__ sees the module


def test_uncaught_exception_prints_a_traceback_of_the_learner_frames_only(
        tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    path = _write(tmp_path, "import torch\n\ndef f():\n    return torch.ones(2).item()\n\nf()\n")
    assert run_script(path, []) == 1
    err = capsys.readouterr().err
    assert err.startswith("Traceback (most recent call last):\n")
    assert f'File "{path}", line 6, in <module>' in err
    assert f'File "{path}", line 4, in f' in err
    assert "gradtui" not in err.replace(str(tmp_path), "")
    assert err.endswith("RuntimeError: a Tensor with 2 elements cannot be converted to Scalar\n")


def test_frames_of_a_directory_named_like_the_package_are_the_learners(
        tmp_path: Path, capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch) -> None:
    from gradtui.engine import script

    monkeypatch.setattr(script, "_GRADTUI_DIR", str(tmp_path / "gradtui"))
    (tmp_path / "gradtui_lessons").mkdir()
    path = _write(tmp_path / "gradtui_lessons", "raise ValueError('bad')\n")
    assert run_script(path, []) == 1
    assert f'File "{path}", line 1, in <module>' in capsys.readouterr().err


def test_chained_exceptions_print_like_python(tmp_path: Path,
                                               capsys: pytest.CaptureFixture) -> None:
    path = _write(tmp_path, "import torch\ntry:\n    torch.ones(2).item()\n"
                            "except RuntimeError as e:\n    raise ValueError('wrapped') from e\n")
    assert run_script(path, []) == 1
    err = capsys.readouterr().err
    assert err == (
        f'Traceback (most recent call last):\n  File "{path}", line 3, in <module>\n'
        "    torch.ones(2).item()\n"
        + ("    ~~~~~~~~~~~~~~~~~~^^\n" if MARKS_CALLS else "")
        + "RuntimeError: a Tensor with 2 elements cannot be converted to Scalar\n"
        "\nThe above exception was the direct cause of the following exception:\n\n"
        f'Traceback (most recent call last):\n  File "{path}", line 5, in <module>\n'
        "    raise ValueError('wrapped') from e\nValueError: wrapped\n")


def test_exceptions_chained_inside_gradtui_stay_hidden(
        tmp_path: Path, capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch) -> None:
    from gradtui.engine import script

    # frames under this "package" count as gradtui's, like the engine's own
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "inner.py").write_text(
        "def convert():\n    try:\n        {}['x']\n    except KeyError:\n"
        "        raise TypeError('like torch')\n")
    own = script._learner_frames
    monkeypatch.setattr(script, "_learner_frames", lambda tb: [
        f for f in own(tb) if not f.filename.startswith(str(package))])
    monkeypatch.syspath_prepend(str(package))
    path = _write(tmp_path, "import inner\ninner.convert()\n")
    assert run_script(path, []) == 1
    err = capsys.readouterr().err
    sys.modules.pop("inner", None)
    assert err == (f'Traceback (most recent call last):\n  File "{path}", line 2, in <module>\n'
                   "    inner.convert()\n"
                   + ("    ~~~~~~~~~~~~~^^\n" if MARKS_CALLS else "")
                   + "TypeError: like torch\n")


def test_argv_and_system_exit_codes_pass_through(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture) -> None:
    path = _write(tmp_path, "import sys\nprint(sys.argv[1:])\nsys.exit(int(sys.argv[1]))\n")
    saved_argv = list(sys.argv)
    assert run_script(path, ["3", "--flag"]) == 3
    assert capsys.readouterr().out == "['3', '--flag']\n"
    assert sys.argv == saved_argv


def test_script_directory_is_importable_and_torch_is_gone_afterwards(
        tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    _write(tmp_path, "import torch\nVALUE = torch.tensor([1, 2]).sum().item()\n", "helper.py")
    path = _write(tmp_path, "import helper\nprint(helper.VALUE)\n")
    assert run_script(path, []) == 0
    assert capsys.readouterr().out == "3\n"
    assert "torch" not in sys.modules or not sys.modules["torch"].__name__.startswith("gradtui")
    sys.modules.pop("helper", None)


def test_missing_file_and_syntax_error(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert run_script(str(tmp_path / "nope.py"), []) == 2
    assert "can't open file" in capsys.readouterr().err
    path = _write(tmp_path, "x = (\n")
    assert run_script(path, []) == 1
    assert "SyntaxError" in capsys.readouterr().err


def test_seed_notebook_as_a_script_matches_torch(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture) -> None:
    path = _write(tmp_path, (
        "import torch\nfrom torch.autograd import Variable\n"
        "x = Variable(torch.ones((2)), requires_grad=True)\ny = 5 * (x + 1) ** 2\nprint(y)\n"
        "o = (1/2) * torch.sum(y)\nprint(o)\no.backward()\nprint(x.grad)\n"
        "o.backward(torch.FloatTensor([1.0, 1.0]))\n"))
    assert run_script(path, []) == 1
    captured = capsys.readouterr()
    assert captured.out == ("tensor([20., 20.], grad_fn=<MulBackward0>)\n"
                            "tensor(20., grad_fn=<MulBackward0>)\ntensor([10., 10.])\n")
    assert captured.err.endswith(
        "RuntimeError: Mismatch in shape: grad_output[0] has a shape of torch.Size([2]) and "
        "output[0] has a shape of torch.Size([]).\n")


@pytest.mark.parametrize(("path", "says"), [
    ("/dev/zero", "not a script but a character device"),  # read 3.8 GB before
    ("/", "not a script but a directory"),
])
def test_only_files_and_pipes_are_read_as_scripts(path: str, says: str,
                                                  capsys: pytest.CaptureFixture) -> None:
    assert run_script(path, []) == 2
    assert capsys.readouterr().err == f"gradtui run: can't open file '{path}': {says}\n"


def test_a_script_over_the_size_cap_is_refused_unread(tmp_path: Path, monkeypatch,
                                                      capsys: pytest.CaptureFixture) -> None:
    from gradtui.engine import script

    monkeypatch.setattr(script, "MAX_SCRIPT_BYTES", 1000)
    big = tmp_path / "big.py"
    big.write_text("x = 1\n" * 500)
    assert run_script(str(big), []) == 2
    assert "is too big for a script (at most" in capsys.readouterr().err


def test_a_pipe_is_read_up_to_the_cap(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    import os
    import threading

    from gradtui.engine.script import ScriptFileError, read_script

    fifo = tmp_path / "script"
    os.mkfifo(fifo)

    def write(data: bytes) -> None:
        try:
            with open(fifo, "wb") as handle:
                handle.write(data)
        except BrokenPipeError:
            pass  # the reader stopped at its cap

    writer = threading.Thread(target=write, args=(b"print('from a pipe')\n",), daemon=True)
    writer.start()
    assert read_script(str(fifo)) == b"print('from a pipe')\n"
    writer.join(10)
    writer = threading.Thread(target=write, args=(b"#" * 5000,), daemon=True)
    writer.start()
    with pytest.raises(ScriptFileError, match="more than"):
        read_script(str(fifo), limit=1000)
    writer.join(10)
