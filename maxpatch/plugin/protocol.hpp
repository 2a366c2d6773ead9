// The part of `pianogenie serve`'s OSC protocol (docs/osc.md) that the plugin speaks. Python defines each value once
// in bridge/protocol.py and engine/constants.py; this is the C++ side's one copy, and
// tests/test_daw_plugin.py checks that every value here equals the Python one.
#pragma once

namespace genie {

constexpr const char* kDefaultHost = "127.0.0.1";
constexpr int kDefaultListenPort = 57130;
constexpr int kMaxPerformers = 64;
constexpr int kNumButtons = 8;
constexpr int kLowestPitch = 21;
constexpr int kHighestPitch = 108;
constexpr float kDefaultTemperature = 0.25f;
constexpr int kDefaultBaseNote = 60;  // bridge/midi.py's DEFAULT_BASE_NOTE: keys C4..G4 are buttons 0..7
constexpr int kSustainCC = 64;

}  // namespace genie
