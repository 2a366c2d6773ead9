// A deterministic test instrument: 16 sine voices, a 2 ms attack and a 20 ms release, the sustain pedal (CC 64),
// all notes off (CC 123), one "gain" parameter. The right channel is the left at half level, so a host that
// swaps or duplicates channels is caught. A note-on with velocity 13 segfaults and velocity 14 hangs in run(),
// so the host's crash and deadline handling is tested with a real plugin.
#include "DistrhoPlugin.hpp"

#include <cmath>
#include <cstring>
#include <csignal>
#include <unistd.h>

START_NAMESPACE_DISTRHO

static constexpr int kVoices = 16;

struct Voice {
    int pitch = -1;
    bool held = false;
    bool sustained = false;
    double phase = 0.0, freq = 0.0, amp = 0.0, env = 0.0;
    bool releasing = false;
};

class TestSine : public Plugin {
public:
    TestSine() : Plugin(1, 0, 0) {}

protected:
    const char* getLabel() const override { return "PGTestSine"; }
    const char* getDescription() const override { return "Sine voices for the Piano Genie plugin host tests."; }
    const char* getMaker() const override { return "Piano Genie Bridge"; }
    const char* getLicense() const override { return "Apache-2.0"; }
    uint32_t getVersion() const override { return d_version(1, 0, 0); }
    int64_t getUniqueId() const override { return d_cconst('P', 'g', 't', 's'); }

    void initParameter(uint32_t, Parameter& p) override {
        p.hints = kParameterIsAutomatable;
        p.name = "Gain";
        p.symbol = "gain";
        p.ranges.def = 0.5f;
        p.ranges.min = 0.0f;
        p.ranges.max = 1.0f;
    }
    float getParameterValue(uint32_t) const override { return gain_; }
    void setParameterValue(uint32_t, float value) override { gain_ = value; }

    void activate() override {
        for (Voice& v : voices_) v = Voice();
        pedal_ = false;
    }

    void run(const float**, float** outputs, uint32_t frames, const MidiEvent* events, uint32_t count) override {
        const double rate = getSampleRate();
        const double attack = 1.0 / (0.002 * rate), release = std::exp(-1.0 / (0.020 * rate / 4.0));
        uint32_t e = 0;
        for (uint32_t i = 0; i < frames; ++i) {
            while (e < count && events[e].frame <= i) handle(events[e++], rate);
            double s = 0.0;
            for (Voice& v : voices_) {
                if (v.pitch < 0) continue;
                if (v.releasing) {
                    v.env *= release;
                    if (v.env < 1e-5) { v.pitch = -1; continue; }
                } else if (v.env < 1.0) {
                    v.env = std::fmin(1.0, v.env + attack);
                }
                s += v.amp * v.env * std::sin(v.phase);
                v.phase += 2.0 * M_PI * v.freq / rate;
                if (v.phase > 2.0 * M_PI) v.phase -= 2.0 * M_PI;
            }
            outputs[0][i] = (float)(s * gain_);
            outputs[1][i] = (float)(0.5 * s * gain_);
        }
    }

private:
    void handle(const MidiEvent& event, double rate) {
        if (event.size < 3) return;
        const uint8_t status = event.data[0] & 0xF0, a = event.data[1], b = event.data[2];
        if (status == 0x90 && b > 0) {
            if (b == 13) std::raise(SIGSEGV);
            if (b == 14) for (;;) pause();
            Voice* v = find(a);
            if (!v) v = free_voice();
            *v = Voice();
            v->pitch = a;
            v->held = true;
            v->freq = 440.0 * std::pow(2.0, (a - 69) / 12.0);
            v->amp = 0.2 * b / 127.0;
        } else if (status == 0x80 || (status == 0x90 && b == 0)) {
            if (Voice* v = find(a)) {
                v->held = false;
                if (pedal_) v->sustained = true; else v->releasing = true;
            }
        } else if (status == 0xB0 && a == 64) {
            pedal_ = b >= 64;
            if (!pedal_)
                for (Voice& v : voices_)
                    if (v.sustained) { v.sustained = false; v.releasing = true; }
        } else if (status == 0xB0 && (a == 123 || a == 120)) {
            for (Voice& v : voices_)
                if (v.pitch >= 0) { v.held = v.sustained = false; v.releasing = true; }
        }
    }
    Voice* find(int pitch) {
        for (Voice& v : voices_) if (v.pitch == pitch && !v.releasing) return &v;
        return nullptr;
    }
    Voice* free_voice() {
        for (Voice& v : voices_) if (v.pitch < 0) return &v;
        Voice* quietest = &voices_[0];
        for (Voice& v : voices_) if (v.env < quietest->env) quietest = &v;
        return quietest;
    }

    Voice voices_[kVoices];
    float gain_ = 0.5f;
    bool pedal_ = false;
    DISTRHO_DECLARE_NON_COPYABLE_WITH_LEAK_DETECTOR(TestSine)
};

Plugin* createPlugin() { return new TestSine(); }

END_NAMESPACE_DISTRHO
