// Which incoming MIDI key is which of the 8 buttons. A lookup table, rebuilt off the audio thread and read by it one
// byte at a time: a key read while the table changes is the old or the new button, never garbage.
#pragma once

#include <atomic>
#include <cstdint>
#include <cstdlib>

#include "protocol.hpp"

namespace genie {

enum KeyMapping : int {
    kMapBase = 0,        // base..base+7 are buttons 0..7 (serve's --midi-map base); other keys pass through
    kMapZones = 1,       // 21..108 in 8 zones by pitch (serve's --midi-map order)
    kMapPitchClass = 2,  // any octave: C C# -> 0, D -> 1, D# E -> 2, F -> 3, F# G -> 4, G# -> 5, A A# -> 6, B -> 7
    kMapKeyList = 3,     // the 8 keys of the "keys" state, in order, are buttons 0..7; other keys pass through
    kMapCount = 4,
};

class KeyMap {
public:
    KeyMap() { build(kMapBase, kDefaultBaseNote, nullptr); }

    // -1: this key is no button.
    int button(int note) const noexcept { return table_[note & 127].load(std::memory_order_relaxed); }

    void build(int mapping, int base, const int* keys) noexcept {
        for (int note = 0; note < 128; ++note) table_[note].store(int8_t(compute(mapping, base, keys, note)));
    }

    // "60 62 64 65 67 69 71 72" -> keys[0..7]. False (keys untouched) unless it is exactly 8 distinct MIDI notes.
    static bool parse_keys(const char* text, int keys[kNumButtons]) noexcept {
        int parsed[kNumButtons];
        int count = 0;
        const char* p = text;
        while (*p) {
            while (*p == ' ' || *p == ',' || *p == '\t') ++p;
            if (!*p) break;
            char* end = nullptr;
            const long value = std::strtol(p, &end, 10);
            if (end == p || value < 0 || value > 127 || count == kNumButtons) return false;
            for (int i = 0; i < count; ++i)
                if (parsed[i] == value) return false;
            parsed[count++] = int(value);
            p = end;
        }
        if (count != kNumButtons) return false;
        for (int i = 0; i < kNumButtons; ++i) keys[i] = parsed[i];
        return true;
    }

private:
    static int compute(int mapping, int base, const int* keys, int note) noexcept {
        switch (mapping) {
        case kMapZones:
            if (note < kLowestPitch || note > kHighestPitch) return -1;
            return (note - kLowestPitch) * kNumButtons / (kHighestPitch - kLowestPitch + 1);
        case kMapPitchClass:
            return (note % 12) * kNumButtons / 12;
        case kMapKeyList:
            for (int i = 0; keys && i < kNumButtons; ++i)
                if (keys[i] == note) return i;
            return -1;
        default:
            return (note >= base && note < base + kNumButtons) ? note - base : -1;
        }
    }

    std::atomic<int8_t> table_[128];
};

}  // namespace genie
