// DPF's description of the test instrument: a stereo sine synth, built as LV2 and VST3 for the plugin host's tests.
#pragma once

#define DISTRHO_PLUGIN_BRAND "Piano Genie Bridge tests"
#define DISTRHO_PLUGIN_NAME  "PG Test Sine"
#define DISTRHO_PLUGIN_URI   "urn:pianogenie:test-sine"
#define DISTRHO_PLUGIN_CLAP_ID "org.pianogenie.test-sine"
#define DISTRHO_PLUGIN_BRAND_ID Pgnt
#define DISTRHO_PLUGIN_UNIQUE_ID Pgts

#define DISTRHO_PLUGIN_HAS_UI 0
#define DISTRHO_PLUGIN_IS_RT_SAFE 1
#define DISTRHO_PLUGIN_IS_SYNTH 1
#define DISTRHO_PLUGIN_NUM_INPUTS 0
#define DISTRHO_PLUGIN_NUM_OUTPUTS 2
#define DISTRHO_PLUGIN_WANT_MIDI_INPUT 1
#define DISTRHO_PLUGIN_WANT_MIDI_OUTPUT 0
#define DISTRHO_PLUGIN_WANT_TIMEPOS 0

#define DISTRHO_PLUGIN_LV2_CATEGORY "lv2:InstrumentPlugin"
#define DISTRHO_PLUGIN_VST3_CATEGORIES "Instrument|Synth|Stereo"
#define DISTRHO_PLUGIN_CLAP_FEATURES "instrument", "synthesizer", "stereo"
