// The plugin's UDP link to `pianogenie serve`. The audio thread only ever calls press/release/pedal (one
// non-blocking send each, from a stack buffer) and reads the ring buffer; everything that may block (resolving the
// host, waiting for replies, the heartbeat, sending settings) happens on the link's own worker thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

#include "extra/RingBuffer.hpp"

namespace genie {

// A reply from serve, as the worker thread hands it to the audio thread.
struct NoteEvent {
    int64_t arrival_ns;  // CLOCK_MONOTONIC, when the worker read the datagram
    uint8_t on;          // 1: /genie/noteon, 0: /genie/noteoff
    uint8_t pitch;
    uint8_t velocity;
    uint8_t button;
};

int64_t monotonic_ns() noexcept;

class Link {
public:
    Link();
    ~Link();

    // Worker thread on/off; called by the plugin's activate()/deactivate(), never on the audio thread.
    void start();
    void stop();

    // "HOST:PORT" (or "HOST", default port). Any thread but the audio thread. False with `error` set if it does not
    // parse; the address is only resolved by the worker.
    bool set_server(const std::string& server, std::string& error);

    // Audio thread: each sends one datagram without blocking; a full socket buffer drops it.
    void press(int button, int velocity) noexcept;
    void release(int button) noexcept;
    void pedal(bool down) noexcept;

    // Settings; any thread. The worker sends them when they change and whenever serve (re)appears.
    void set_performer(int performer) noexcept;
    void set_temperature(float temperature) noexcept;
    void set_range(int low, int high) noexcept;

    // True while serve answers: a reply within the last kOfflineAfterMs and no "port unreachable" since.
    bool online() const noexcept { return online_.load(std::memory_order_acquire); }
    int performer() const noexcept { return performer_.load(std::memory_order_relaxed); }

    // The audio thread's end of the ring buffer (single reader).
    bool pop(NoteEvent& event) noexcept;

    static constexpr int kHeartbeatMs = 250;
    static constexpr int kOfflineAfterMs = 1000;

private:
    void run();
    void send_now(const char* verb, const char* tags, const int32_t* ints, const float* floats) noexcept;
    void send_settings() noexcept;
    void connect_peer();
    void drain(int64_t now) noexcept;

    int fd_ = -1;
    std::thread worker_;
    std::atomic<bool> running_{false};
    std::atomic<bool> online_{false};
    std::atomic<int> performer_{0};
    std::atomic<float> temperature_;
    std::atomic<int> low_, high_;
    std::atomic<bool> settings_dirty_{true};
    std::atomic<unsigned> server_generation_{1};
    int64_t last_heard_ns_ = 0;  // worker thread only

    std::mutex server_mutex_;  // never taken by the audio thread
    std::string server_host_;
    int server_port_;

    DISTRHO_NAMESPACE::HeapRingBuffer ring_;
};

}  // namespace genie
