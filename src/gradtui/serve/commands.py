"""``gradtui serve ssh|web`` and ``gradtui lab ...``: teaching labs."""

from __future__ import annotations

import argparse


def add_commands(sub: argparse._SubParsersAction) -> None:
    serve = sub.add_parser("serve", help="serve gradtui to a class (SSH or browser)")
    serve_sub = serve.add_subparsers(dest="serve_command", metavar="HOW", required=True)
    ssh = serve_sub.add_parser("ssh", help="an SSH server: one gradtui process per learner")
    ssh.add_argument("--config", metavar="LAB.toml", help="lab configuration file")
    ssh.add_argument("--host", default=None, help="address to listen on (default 127.0.0.1)")
    ssh.add_argument("--port", type=_port, default=None, help="port (default 2222)")
    ssh.set_defaults(handler=run_serve_ssh)
    web = serve_sub.add_parser("web", help="the app in the browser via textual-serve")
    web.add_argument("--config", metavar="LAB.toml", help="lab configuration file")
    web.add_argument("--host", default=None, help="address to listen on (default 127.0.0.1)")
    web.add_argument("--port", type=_port, default=None, help="port (default 8000)")
    web.set_defaults(handler=run_serve_web)

    lab = sub.add_parser("lab", help="teacher tools: learners and progress")
    lab_sub = lab.add_subparsers(dest="lab_command", metavar="ACTION", required=True)
    prog = lab_sub.add_parser("progress", help="learners x lessons progress table")
    prog.add_argument("--config", metavar="LAB.toml", help="lab configuration file")
    prog.add_argument("--format", choices=["table", "csv", "json"], default="table")
    prog.add_argument("--by-step", action="store_true",
                      help="per step: learners on it, median time, the check that fails most")
    prog.set_defaults(handler=run_lab)
    add = lab_sub.add_parser("add-learner", help="add a learner to the roster")
    add.add_argument("name")
    add.add_argument("--config", metavar="LAB.toml", help="lab configuration file")
    add.add_argument("--key", metavar="PUBKEY_FILE", help="an OpenSSH public key file")
    add.add_argument("--password", action="store_true", help="prompt for a password")
    add.set_defaults(handler=run_lab)
    check = lab_sub.add_parser(
        "check", help="is this lab ready for class? (config, roster, key, port, sandbox, limits)"
    )
    check.add_argument("--config", metavar="LAB.toml", help="lab configuration file")
    check.set_defaults(handler=run_lab_check)


def _port(text: str) -> int:
    """A TCP port (0: any free one); `--port 99999` printed a traceback from bind()."""
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not a port: use 1-65535 (or 0 for any)")
    return port


def run_serve_ssh(args: argparse.Namespace) -> int:
    from gradtui.serve.ssh_server import main

    return main(args)


def run_serve_web(args: argparse.Namespace) -> int:
    from gradtui.serve.web import main

    return main(args)


def run_lab_check(args: argparse.Namespace) -> int:
    from gradtui.serve.lab_check import main

    return main(args)


def run_lab(args: argparse.Namespace) -> int:
    from gradtui.serve.lab import main

    return main(args)
