// "Piano Genie": a note effect that is a thin OSC client of `pianogenie serve`. Presses go out as OSC from the audio
// thread (non-blocking sends); serve's notes come back through the link's worker thread and a lock-free ring buffer
// and are written out in the next block, at the frame matching when they arrived.
#include "DistrhoPlugin.hpp"

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <string>

#include "keymap.hpp"
#include "link.hpp"
#include "protocol.hpp"

START_NAMESPACE_DISTRHO

namespace {

enum Params : uint32_t {
    kTemperature,
    kPerformer,
    kMapping,
    kBaseNote,
    kRangeLow,
    kRangeHigh,
    kConnected,      // output: 1 while serve answers
    kPerformerUsed,  // output: the performer number this instance plays as
    kParamCount,
};

enum States : uint32_t { kStateKeys, kStateServer, kStateCount };

constexpr const char* kDefaultKeys = "60 62 64 65 67 69 71 72";
constexpr int kAutoPerformer = -1;
constexpr uint8_t kPassedThrough = 0xff;
constexpr uint32_t kMaxRepliesPerBlock = 512;

// Performer numbers taken by the instances in this process, so that a second instance is a second performer.
std::atomic<uint64_t> g_taken_performers{0};

int claim_performer() noexcept {
    uint64_t taken = g_taken_performers.load();
    for (;;) {
        int slot = 0;
        while (slot < genie::kMaxPerformers && (taken >> slot) & 1) ++slot;
        if (slot == genie::kMaxPerformers) return 0;
        if (g_taken_performers.compare_exchange_weak(taken, taken | (uint64_t(1) << slot))) return slot;
    }
}

void free_performer(int slot) noexcept {
    if (slot >= 0) g_taken_performers.fetch_and(~(uint64_t(1) << slot));
}

}  // namespace

class PianoGeniePlugin : public Plugin {
public:
    PianoGeniePlugin() : Plugin(kParamCount, 0, kStateCount) {
        for (int i = 0; i < genie::kNumButtons; ++i) keys_[i] = 60 + i;
        genie::KeyMap::parse_keys(kDefaultKeys, keys_);
        std::memset(input_, 0, sizeof input_);
        std::memset(sounding_, 0, sizeof sounding_);
        // A host with no way to set the "server" state (or a user with serve elsewhere for every session) names it
        // in the environment: it becomes the state's default, and a state the host restores still wins.
        if (const char* server = std::getenv("PIANOGENIE_SERVER")) setState("server", server);
        default_server_ = server_text_;
    }

    ~PianoGeniePlugin() override {
        link_.stop();
        free_performer(auto_slot_);
    }

protected:
    const char* getLabel() const override { return "PianoGenie"; }
    const char* getDescription() const override {
        return "8 keys in, Piano Genie's 88 keys out: a client of `pianogenie serve` over OSC.";
    }
    const char* getMaker() const override { return "Piano Genie Bridge"; }
    const char* getHomePage() const override { return "https://github.com/pianogenie/pianogenie-bridge"; }
    const char* getLicense() const override { return "Apache-2.0"; }
    uint32_t getVersion() const override { return d_version(0, 1, 0); }
    int64_t getUniqueId() const override { return d_cconst('P', 'g', 'n', '1'); }

    void initAudioPort(bool input, uint32_t index, AudioPort& port) override {
        port.groupId = kPortGroupStereo;
        Plugin::initAudioPort(input, index, port);
    }

    void initParameter(uint32_t index, Parameter& p) override {
        p.hints = kParameterIsAutomatable;
        switch (index) {
        case kTemperature:
            p.name = "Temperature"; p.symbol = "temperature";
            p.ranges.min = 0.0f; p.ranges.max = 1.0f; p.ranges.def = genie::kDefaultTemperature;
            break;
        case kPerformer: {
            p.name = "Performer"; p.symbol = "performer";
            p.hints |= kParameterIsInteger;
            p.ranges.min = kAutoPerformer; p.ranges.max = genie::kMaxPerformers - 1; p.ranges.def = kAutoPerformer;
            // DPF deletes the array with the parameter.
            ParameterEnumerationValue* const values = new ParameterEnumerationValue[1];
            values[0].value = float(kAutoPerformer); values[0].label = "Auto";
            p.enumValues.count = 1; p.enumValues.restrictedMode = false; p.enumValues.values = values;
            break;
        }
        case kMapping: {
            p.name = "Key mapping"; p.symbol = "mapping";
            p.hints |= kParameterIsInteger;
            p.ranges.min = 0; p.ranges.max = genie::kMapCount - 1; p.ranges.def = genie::kMapBase;
            static const char* const labels[genie::kMapCount] = {
                "8 keys from base note", "Whole keyboard in 8 zones", "Pitch class", "Key list"};
            ParameterEnumerationValue* const values = new ParameterEnumerationValue[genie::kMapCount];
            for (int i = 0; i < genie::kMapCount; ++i) { values[i].value = float(i); values[i].label = labels[i]; }
            p.enumValues.count = genie::kMapCount; p.enumValues.restrictedMode = true; p.enumValues.values = values;
            break;
        }
        case kBaseNote:
            p.name = "Base note"; p.symbol = "base_note";
            p.hints |= kParameterIsInteger;
            p.ranges.min = 0; p.ranges.max = 127 - genie::kNumButtons + 1; p.ranges.def = genie::kDefaultBaseNote;
            break;
        case kRangeLow:
            p.name = "Range low"; p.symbol = "range_low";
            p.hints |= kParameterIsInteger;
            p.ranges.min = genie::kLowestPitch; p.ranges.max = genie::kHighestPitch; p.ranges.def = genie::kLowestPitch;
            break;
        case kRangeHigh:
            p.name = "Range high"; p.symbol = "range_high";
            p.hints |= kParameterIsInteger;
            p.ranges.min = genie::kLowestPitch; p.ranges.max = genie::kHighestPitch;
            p.ranges.def = genie::kHighestPitch;
            break;
        case kConnected:
            p.name = "Serve connected"; p.symbol = "connected";
            p.hints = kParameterIsOutput | kParameterIsBoolean | kParameterIsInteger;
            p.ranges.min = 0; p.ranges.max = 1; p.ranges.def = 0;
            break;
        case kPerformerUsed:
            p.name = "Performer in use"; p.symbol = "performer_used";
            p.hints = kParameterIsOutput | kParameterIsInteger;
            p.ranges.min = 0; p.ranges.max = genie::kMaxPerformers - 1; p.ranges.def = 0;
            break;
        }
        values_[index] = p.ranges.def;
    }

    void initState(uint32_t index, State& state) override {
        state.hints = kStateIsHostWritable;
        if (index == kStateKeys) {
            state.key = "keys"; state.label = "Key list (8 MIDI notes)"; state.defaultValue = kDefaultKeys;
        } else {
            state.key = "server"; state.label = "serve's OSC address (HOST:PORT)";
            state.defaultValue = default_server_.c_str();
        }
    }

    float getParameterValue(uint32_t index) const override { return values_[index]; }

    // May be called on the audio thread (LV2 control ports): stores, and at most one non-blocking send.
    void setParameterValue(uint32_t index, float value) override {
        if (index >= kConnected) return;
        values_[index] = clamp(index, value);
        switch (index) {
        case kTemperature: link_.set_temperature(value); break;
        case kPerformer: link_.set_performer(effective_performer()); break;
        case kRangeLow: case kRangeHigh: link_.set_range(int(values_[kRangeLow]), int(values_[kRangeHigh])); break;
        case kMapping: case kBaseNote: rebuild_keymap(); break;
        }
    }

    String getState(const char* key) const override {
        return String(std::strcmp(key, "keys") == 0 ? keys_text_.c_str() : server_text_.c_str());
    }

    // Off the audio thread (DPF and the hosts call it from their main or state threads).
    void setState(const char* key, const char* value) override {
        if (std::strcmp(key, "keys") == 0) {
            int keys[genie::kNumButtons];
            if (!genie::KeyMap::parse_keys(value, keys)) {
                d_stderr2("Piano Genie: key list must be 8 distinct MIDI notes 0..127, got \"%s\"; kept \"%s\"",
                          value, keys_text_.c_str());
                return;
            }
            std::memcpy(keys_, keys, sizeof keys_);
            keys_text_ = value;
            rebuild_keymap();
        } else if (std::strcmp(key, "server") == 0) {
            std::string error;
            if (!link_.set_server(value, error)) {
                d_stderr2("Piano Genie: server: %s; kept \"%s\"", error.c_str(), server_text_.c_str());
                return;
            }
            server_text_ = value;
        }
    }

    void activate() override {
        if (auto_slot_ < 0) auto_slot_ = claim_performer();
        link_.set_performer(effective_performer());
        link_.set_temperature(values_[kTemperature]);
        link_.set_range(int(values_[kRangeLow]), int(values_[kRangeHigh]));
        std::memset(input_, 0, sizeof input_);
        std::memset(sounding_, 0, sizeof sounding_);
        was_online_ = false;
        last_run_ns_ = genie::monotonic_ns();
        link_.start();
    }

    void deactivate() override { link_.stop(); }

    void run(const float** inputs, float** outputs, uint32_t frames, const MidiEvent* events,
             uint32_t count) override {
        for (uint32_t c = 0; c < 2; ++c)
            if (outputs[c] != inputs[c]) std::memcpy(outputs[c], inputs[c], sizeof(float) * frames);

        const int64_t now = genie::monotonic_ns();
        const bool online = link_.online();
        const int performer = link_.performer();
        values_[kConnected] = online ? 1.0f : 0.0f;
        values_[kPerformerUsed] = float(performer);
        // serve gone, or another performer: nothing it started may keep sounding.
        if ((was_online_ && !online) || performer != last_performer_) all_notes_off();
        was_online_ = online;
        last_performer_ = performer;

        collect_replies(now, frames, online);
        uint32_t next = 0;
        for (uint32_t i = 0; i < count; ++i) {
            const MidiEvent& ev = events[i];
            while (next < nreplies_ && replies_[next].frame <= ev.frame) emit_reply(replies_[next++]);
            handle_input(ev, online);
        }
        while (next < nreplies_) emit_reply(replies_[next++]);
    }

private:
    struct Reply {
        uint32_t frame;
        genie::NoteEvent note;
    };

    // A host may send anything, automation curves overshoot: keep each parameter in the range it declares, so no
    // out-of-range number ever reaches serve (which would only answer /genie/error).
    static float clamp(uint32_t index, float value) noexcept {
        static const float low[kConnected] = {0.0f, float(kAutoPerformer), 0.0f, 0.0f, float(genie::kLowestPitch),
                                              float(genie::kLowestPitch)};
        static const float high[kConnected] = {1.0f, float(genie::kMaxPerformers - 1), float(genie::kMapCount - 1),
                                               float(127 - genie::kNumButtons + 1), float(genie::kHighestPitch),
                                               float(genie::kHighestPitch)};
        if (!(value == value)) return low[index];  // NaN
        value = value < low[index] ? low[index] : value > high[index] ? high[index] : value;
        return index == kTemperature ? value : std::floor(value + 0.5f);
    }

    int effective_performer() const noexcept {
        const int chosen = int(values_[kPerformer]);
        return chosen >= 0 ? chosen : (auto_slot_ >= 0 ? auto_slot_ : 0);
    }

    void rebuild_keymap() noexcept { keymap_.build(int(values_[kMapping]), int(values_[kBaseNote]), keys_); }

    // A reply that arrived t ns after the previous block started goes t ns into this block: every note is one block
    // late, but evenly, as the press was.
    void collect_replies(int64_t now, uint32_t frames, bool online) noexcept {
        nreplies_ = 0;
        const double frames_per_ns = getSampleRate() / 1e9;
        uint32_t last_frame = 0;
        genie::NoteEvent note;
        while (nreplies_ < kMaxRepliesPerBlock && link_.pop(note)) {
            if (note.on && !online) continue;
            const int64_t offset = note.arrival_ns - last_run_ns_;
            uint32_t frame = offset <= 0 ? 0 : uint32_t(double(offset) * frames_per_ns);
            if (frame >= frames) frame = frames - 1;
            if (frame < last_frame) frame = last_frame;
            last_frame = frame;
            replies_[nreplies_++] = {frame, note};
        }
        last_run_ns_ = now;
    }

    void emit_reply(const Reply& r) noexcept {
        const uint8_t pitch = r.note.pitch;
        if (r.note.on) {
            if (sounding_[pitch]) note_off(r.frame, sounding_[pitch] - 1, pitch);
            const uint8_t channel = button_channel_[r.note.button];
            sounding_[pitch] = uint8_t(channel + 1);
            write3(r.frame, uint8_t(0x90 | channel), pitch, r.note.velocity ? r.note.velocity : 1);
        } else if (sounding_[pitch]) {
            note_off(r.frame, sounding_[pitch] - 1, pitch);
        }
    }

    void note_off(uint32_t frame, int channel, uint8_t pitch) noexcept {
        write3(frame, uint8_t(0x80 | channel), pitch, 0);
        sounding_[pitch] = 0;
    }

    void all_notes_off() noexcept {
        for (int pitch = 0; pitch < 128; ++pitch)
            if (sounding_[pitch]) note_off(0, sounding_[pitch] - 1, uint8_t(pitch));
    }

    void handle_input(const MidiEvent& ev, bool online) noexcept {
        if (ev.size > MidiEvent::kDataSize || ev.size < 3) {
            writeMidiEvent(ev);
            return;
        }
        const uint8_t status = ev.data[0] & 0xf0, channel = ev.data[0] & 0x0f, note = ev.data[1] & 127;
        const bool note_on = status == 0x90 && ev.data[2] > 0;
        const bool note_off_ = status == 0x80 || (status == 0x90 && ev.data[2] == 0);
        if (note_on) {
            const int button = keymap_.button(note);
            if (online && button >= 0) {
                button_channel_[button] = channel;
                input_[channel][note] = uint8_t(button + 1);
                link_.press(button, ev.data[2]);
                return;
            }
            input_[channel][note] = kPassedThrough;
        } else if (note_off_) {
            const uint8_t held = input_[channel][note];
            input_[channel][note] = 0;
            if (held != kPassedThrough && held != 0) {
                link_.release(held - 1);
                return;
            }
        } else if (status == 0xb0 && ev.data[1] == genie::kSustainCC && online) {
            // serve holds its own notes under the pedal; passing CC64 on would hold them twice.
            link_.pedal(ev.data[2] >= 64);
            return;
        }
        writeMidiEvent(ev);
    }

    void write3(uint32_t frame, uint8_t a, uint8_t b, uint8_t c) noexcept {
        MidiEvent out;
        out.frame = frame;
        out.size = 3;
        out.data[0] = a; out.data[1] = b; out.data[2] = c; out.data[3] = 0;
        out.dataExt = nullptr;
        writeMidiEvent(out);
    }

    genie::Link link_;
    genie::KeyMap keymap_;
    float values_[kParamCount] = {};
    int keys_[genie::kNumButtons];
    std::string keys_text_ = kDefaultKeys;
    std::string server_text_ = std::string(genie::kDefaultHost) + ":" + std::to_string(genie::kDefaultListenPort);
    std::string default_server_;
    int auto_slot_ = -1;

    // Audio thread only.
    uint8_t input_[16][128];     // per input key: 0 up, button + 1 pressed as a button, kPassedThrough passed on
    uint8_t sounding_[128];      // per pitch: 0 silent, channel + 1 sounding a note from serve
    uint8_t button_channel_[genie::kNumButtons] = {};  // channel of each button's latest press
    Reply replies_[kMaxRepliesPerBlock];
    uint32_t nreplies_ = 0;
    int64_t last_run_ns_ = 0;
    bool was_online_ = false;
    int last_performer_ = -1;

    DISTRHO_DECLARE_NON_COPYABLE_WITH_LEAK_DETECTOR(PianoGeniePlugin)
};

Plugin* createPlugin() { return new PianoGeniePlugin(); }

END_NAMESPACE_DISTRHO
