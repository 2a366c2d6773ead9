"""The bridge's subcommands: serve, play, render, replay, devices, plugins, patches, plugin, web, and `bench osc` / `bench web`. Heavy
imports happen inside the run functions so `pianogenie --help` stays fast."""

from __future__ import annotations

from . import bench, devices, patches, play, plugin, plugins, render, replay, serve, web


def register(registry) -> None:  # registry: pianogenie.cli.Registry
    serve.add_arguments(registry.command("serve", serve.run, "run the bridge: OSC in and out, MIDI and a synth where available"))
    play.add_arguments(registry.command("play", play.run, "play the genie from the computer keyboard or a MIDI controller"))
    render.add_arguments(registry.command("render", render.run, "render a recorded performance or events file to a WAV or MIDI file, offline"))
    replay.add_arguments(registry.command("replay", replay.run, "play a recorded events file through the decoder and print the notes"))
    registry.command("devices", devices.run, "list audio outputs and MIDI ports")
    registry.command("plugins", plugins.run, "list the instrument plugins installed (LV2, VST3) that --synth can play")
    patches.add_arguments(registry.command("patches", patches.run, "copy the Max, Pure Data and REAPER files into a folder"))
    plugin.add_arguments(registry.command("plugin", plugin.run, "install the DAW plugin (LV2, VST3, CLAP) that `make plugin` built"))
    bench.add_arguments(registry.bench("osc", bench.run, "OSC round trip (bare echo floor vs bridge), 16 performers, press -> sound"))
    web.register(registry)
