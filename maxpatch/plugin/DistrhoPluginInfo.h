// DPF's description of the plugin: formats, I/O and identifiers.
#pragma once

#define DISTRHO_PLUGIN_BRAND "Piano Genie Bridge"
#define DISTRHO_PLUGIN_NAME  "Piano Genie"
#define DISTRHO_PLUGIN_URI   "urn:pianogenie:plugin"
#define DISTRHO_PLUGIN_CLAP_ID "org.pianogenie.plugin"
#define DISTRHO_PLUGIN_BRAND_ID Pgni
#define DISTRHO_PLUGIN_UNIQUE_ID Pgn1

#define DISTRHO_PLUGIN_HAS_UI 0
#define DISTRHO_PLUGIN_IS_RT_SAFE 1
#define DISTRHO_PLUGIN_IS_SYNTH 0
// Ableton Live rejects a plugin without audio I/O; the two channels pass through untouched.
#define DISTRHO_PLUGIN_NUM_INPUTS 2
#define DISTRHO_PLUGIN_NUM_OUTPUTS 2
#define DISTRHO_PLUGIN_WANT_MIDI_INPUT 1
#define DISTRHO_PLUGIN_WANT_MIDI_OUTPUT 1
#define DISTRHO_PLUGIN_WANT_STATE 1
#define DISTRHO_PLUGIN_WANT_FULL_STATE 1
// serve has no use for the host's tempo or transport (it plays what it is pressed, when it is pressed), so the
// plugin does not ask for them.
#define DISTRHO_PLUGIN_WANT_TIMEPOS 0

#define DISTRHO_PLUGIN_LV2_CATEGORY "lv2:MIDIPlugin"
#define DISTRHO_PLUGIN_VST3_CATEGORIES "Fx|Generator|Stereo"
#define DISTRHO_PLUGIN_CLAP_FEATURES "note-effect", "audio-effect", "stereo"
