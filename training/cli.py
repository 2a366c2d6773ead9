"""The training package's commands, declared once each as import paths (pianogenie/cli.py's Registry): listing
them imports nothing; a command's module loads when it runs or its flags are parsed."""

from __future__ import annotations

_COMMANDS = f"{__package__}.commands"


def register(registry) -> None:  # registry: pianogenie.cli.Registry
    registry.command("corpus", "parse a data source into the cache and summarise it",
                     f"{_COMMANDS}:run_corpus", f"{_COMMANDS}:corpus_arguments")
    registry.command("train", "train Piano Genie (single process, or under torchrun with DDP)",
                     f"{_COMMANDS}:run_train", f"{_COMMANDS}:train_arguments")
    registry.command("evaluate", "how models play, side by side: held-out NLL with a person's buttons in the file's "
                     "and in performer timing, the live-input suite, melodies",
                     f"{_COMMANDS}:run_evaluate", f"{_COMMANDS}:evaluate_arguments")
    registry.command("export", "export a checkpoint's decoder as a model directory",
                     f"{_COMMANDS}:run_export", f"{_COMMANDS}:export_arguments")
    registry.bench("training", "training steps/s and the data pipeline's share of a step",
                   f"{_COMMANDS}:run_bench", f"{_COMMANDS}:bench_arguments")
