"""The ``groundup`` command line: ``groundup demo`` trains a model on MNIST (see ``demos.py``);
``groundup train`` / ``sweep`` run experiment configs (see ``groundup.experiments``)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

__all__ = ["main"]


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected an integer >= 1, got {text}")
    return value


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="groundup",
        description="groundup: machine learning from first principles on NumPy.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    p = commands.add_parser(
        "demo",
        help="train a model on MNIST and print its test accuracy",
        description="Train a model on MNIST and print its test accuracy: a 784-256-128-10 MLP "
        "with the Keras-style API (default), LeNet-5 (cnn), or softmax regression on the bare "
        "engine.",
    )
    p.add_argument(
        "--model",
        choices=["mlp", "cnn", "logreg", "gpt"],
        default="mlp",
        help="mlp: Keras-style MLP (default); cnn: LeNet-5; logreg: logistic regression on "
        "the bare engine; gpt: a character-level GPT on Tiny Shakespeare (nanoGPT's CPU recipe)",
    )
    p.add_argument(
        "--epochs", type=_positive_int, default=None, help="passes (mlp 12, cnn 3, logreg 3)"
    )
    p.add_argument(
        "--batch-size", type=_positive_int, default=None, help="images a step (cnn 64, else 128)"
    )
    p.add_argument("--lr", type=float, default=1.5, help="logreg's initial learning rate (1.5)")
    p.add_argument("--seed", type=int, default=0, help="random seed (0)")
    p.add_argument("--root", default=None, help="folder holding the MNIST .gz files")
    p.add_argument(
        "--save", default=None, metavar="PATH", help="save the MLP's or CNN's weights there"
    )
    p.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    from groundup.experiments.commands import add_commands

    add_commands(commands)  # train, sweep
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``groundup`` command line; return the exit status.

    Parameters
    ----------
    argv : sequence of str, optional
        The arguments after the program name; default ``sys.argv[1:]``.

    Returns
    -------
    int
        0 on success, 1 when ``--model logreg`` could not find or download MNIST, 2 when a
        ``train`` or ``sweep`` config is invalid.

    Examples
    --------
    >>> main(["demo", "--epochs", "1", "--no-progress"])  # doctest: +SKIP
    test accuracy: 96.9% (MNIST, 10,000 test images)
    wall time: 3.0 s
    0
    """
    args = _parser().parse_args(argv)
    if args.command != "demo":
        from groundup.experiments.commands import run_command

        return run_command(args)
    if args.model == "gpt":
        return _gpt_demo(args)
    from groundup import demos

    if args.model in ("mlp", "cnn"):
        demo, epochs, batch_size = {
            "mlp": (demos.mlp_demo, 12, 128),
            "cnn": (demos.cnn_demo, 3, 64),
        }[args.model]
        demo(
            epochs=args.epochs or epochs,
            batch_size=args.batch_size or batch_size,
            seed=args.seed,
            root=args.root,
            progress=not args.no_progress,
            save=args.save,
        )
        return 0
    from groundup.data import load_mnist

    try:
        data = load_mnist(root=args.root)
    except (OSError, ValueError) as e:
        print(f"groundup demo: could not load MNIST: {e}", file=sys.stderr)
        return 1
    demos.logistic_regression_demo(
        epochs=args.epochs or 3,
        batch_size=args.batch_size or 128,
        lr=args.lr,
        seed=args.seed,
        progress=not args.no_progress,
        data=data,
    )
    return 0


def _gpt_demo(args: argparse.Namespace) -> int:
    """``demo --model gpt``: train and sample a GPT (``demos_gpt.py``); 1 without the text."""
    from groundup.data import load_shakespeare
    from groundup.demos_gpt import gpt_demo

    try:
        text = load_shakespeare(root=args.root)
    except (OSError, ValueError) as e:
        print(f"groundup demo: could not load Tiny Shakespeare: {e}", file=sys.stderr)
        return 1
    gpt_demo(seed=args.seed, text=text, progress=not args.no_progress, checkpoint=args.save)
    return 0
