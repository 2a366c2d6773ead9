"""The bridge's subcommands: serve, play, render, replay, devices, plugins, patches, plugin, web, and `bench osc` /
`bench web`, each declared once as import paths (pianogenie/cli.py's Registry): a command's module loads only when
it runs or its flags are parsed, so `pianogenie --help` imports none of them."""

from __future__ import annotations

# command -> (its module in this package, whether it has flags (an `add_arguments`), its help)
_COMMANDS: dict[str, tuple[str, bool, str]] = {
    "serve": ("serve", True, "run the bridge: OSC in and out, MIDI and a synth where available"),
    "play": ("play", True, "play the genie from the computer keyboard or a MIDI controller"),
    "render": ("render", True, "render a recorded performance or events file to a WAV or MIDI file, offline"),
    "replay": ("replay", True, "play a recorded events file through the decoder and print the notes"),
    "devices": ("devices", False, "list audio outputs and MIDI ports"),
    "plugins": ("plugins", True, "list the instrument plugins installed (LV2, VST3) that --synth can play"),
    "patches": ("patches", True, "copy the Max, Pure Data and REAPER files into a folder"),
    "plugin": ("plugin", True, "install the DAW plugin (LV2, VST3, CLAP) that `make plugin` built"),
    "web": ("web", True, "serve the browser app (web/) and a model on a local HTTP server"),
}
_BENCHES: dict[str, tuple[str, str, str]] = {  # target -> (its run, its add_arguments: "module:function" here; help)
    "osc": ("bench:run", "options:add_bench_osc_arguments",
            "OSC round trip (bare echo floor vs bridge), 16 performers, press -> sound"),
    "web": ("web:run_bench", "web:add_bench_arguments", "per-press latency of the TensorFlow.js decoder in headless Chromium"),
}


def register(registry) -> None:  # registry: pianogenie.cli.Registry
    for name, (module, has_flags, help) in _COMMANDS.items():
        path = f"{__name__}.{module}"
        registry.command(name, help, f"{path}:run", f"{path}:add_arguments" if has_flags else None)
    for name, (run, arguments, help) in _BENCHES.items():
        registry.bench(name, help, f"{__name__}.{run}", f"{__name__}.{arguments}")
