#include "link.hpp"

#include <arpa/inet.h>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "osc.hpp"
#include "protocol.hpp"

namespace genie {

namespace {

// "/genie/" + performer + "/" + verb into `out`, without snprintf (whose locale handling is not promised to be
// lock-free). Performer 0 uses the bare address, as serve's own replies do.
void build_address(char* out, size_t cap, int performer, const char* verb) noexcept {
    size_t n = 0;
    auto put = [&](const char* s) { while (*s && n + 1 < cap) out[n++] = *s++; };
    put("/genie/");
    if (performer > 0) {
        char digits[4];
        int d = 0;
        for (int p = performer; p > 0 && d < 3; p /= 10) digits[d++] = char('0' + p % 10);
        while (d > 0 && n + 1 < cap) out[n++] = digits[--d];
        put("/");
    }
    put(verb);
    out[n] = '\0';
}

// The performer a reply's address names ("/genie/noteon" is 0, "/genie/5/noteon" is 5) and its verb; -1 if the
// address is not a performer's reply.
int reply_performer(const char* address, const char*& verb) noexcept {
    static const char prefix[] = "/genie/";
    if (std::strncmp(address, prefix, sizeof prefix - 1) != 0) return -1;
    const char* p = address + sizeof prefix - 1;
    int performer = 0;
    if (*p >= '0' && *p <= '9') {
        while (*p >= '0' && *p <= '9') performer = performer * 10 + (*p++ - '0');
        if (*p++ != '/' || performer >= kMaxPerformers) return -1;
    }
    verb = p;
    return performer;
}

}  // namespace

int64_t monotonic_ns() noexcept {
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return int64_t(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

Link::Link() : temperature_(kDefaultTemperature), low_(kLowestPitch), high_(kHighestPitch),
               server_host_(kDefaultHost), server_port_(kDefaultListenPort) {
    // 4096 replies: more than serve can send in the longest block any host uses.
    ring_.createBuffer(4096 * sizeof(NoteEvent));
}

Link::~Link() {
    stop();
    ring_.deleteBuffer();
}

void Link::start() {
    if (running_.exchange(true)) return;
    // Neither end of the ring runs now (the host is not processing, the worker is stopped): replies left from the
    // last activation are stale.
    ring_.clearData();
    fd_ = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    server_generation_.fetch_add(1);
    settings_dirty_.store(true);
    connect_peer();
    worker_ = std::thread(&Link::run, this);
}

void Link::stop() {
    if (!running_.exchange(false)) return;
    worker_.join();
    // serve turns off what this performer still holds, instead of waiting for its idle timeout.
    send_now("reset", "", nullptr, nullptr);
    online_.store(false);
    close(fd_);
    fd_ = -1;
}

bool Link::set_server(const std::string& server, std::string& error) {
    std::string host = server;
    int port = kDefaultListenPort;
    const size_t colon = server.rfind(':');
    if (colon != std::string::npos) {
        host = server.substr(0, colon);
        char* end = nullptr;
        const long value = std::strtol(server.c_str() + colon + 1, &end, 10);
        if (end == server.c_str() + colon + 1 || *end != '\0' || value < 1 || value > 65535) {
            error = "port must be 1..65535 in \"" + server + "\"";
            return false;
        }
        port = int(value);
    }
    if (host.empty()) {
        error = "no host in \"" + server + "\"";
        return false;
    }
    {
        std::lock_guard<std::mutex> lock(server_mutex_);
        server_host_ = host;
        server_port_ = port;
    }
    server_generation_.fetch_add(1);
    return true;
}

// Worker thread (or start()): point the socket at the server. A connected UDP socket is told "port unreachable"
// by the kernel when nothing listens there, which is how a stopped serve is noticed within one heartbeat.
void Link::connect_peer() {
    std::string host;
    int port;
    {
        std::lock_guard<std::mutex> lock(server_mutex_);
        host = server_host_;
        port = server_port_;
    }
    addrinfo hints{};
    hints.ai_family = AF_INET;
    hints.ai_socktype = SOCK_DGRAM;
    addrinfo* found = nullptr;
    if (getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found) == 0 && found) {
        connect(fd_, found->ai_addr, found->ai_addrlen);
        freeaddrinfo(found);
    }
    online_.store(false);
}

void Link::send_now(const char* verb, const char* tags, const int32_t* ints, const float* floats) noexcept {
    char address[48];
    char datagram[96];
    build_address(address, sizeof address, performer_.load(std::memory_order_relaxed), verb);
    const size_t size = osc::write(datagram, sizeof datagram, address, tags, ints, floats);
    if (size > 0 && fd_ >= 0) send(fd_, datagram, size, MSG_DONTWAIT | MSG_NOSIGNAL);
}

void Link::press(int button, int velocity) noexcept {
    const int32_t ints[2] = {button, velocity};
    send_now("press", "ii", ints, nullptr);
}

void Link::release(int button) noexcept {
    const int32_t ints[1] = {button};
    send_now("release", "i", ints, nullptr);
}

void Link::pedal(bool down) noexcept {
    const int32_t ints[1] = {down ? 1 : 0};
    send_now("pedal", "i", ints, nullptr);
}

void Link::set_performer(int performer) noexcept {
    const int old = performer_.exchange(performer);
    if (old == performer) return;
    if (running_.load()) {
        // The old performer's notes end in serve; the plugin ends them on its own output.
        char address[48];
        char datagram[64];
        build_address(address, sizeof address, old, "reset");
        const size_t size = osc::write(datagram, sizeof datagram, address, "", nullptr, nullptr);
        if (size > 0 && fd_ >= 0) send(fd_, datagram, size, MSG_DONTWAIT | MSG_NOSIGNAL);
    }
    settings_dirty_.store(true);
}

void Link::set_temperature(float temperature) noexcept {
    if (temperature_.exchange(temperature) != temperature) settings_dirty_.store(true);
}

void Link::set_range(int low, int high) noexcept {
    if (low > high) std::swap(low, high);  // the host's two sliders may cross; serve wants low <= high
    const bool changed = low_.exchange(low) != low;
    if ((high_.exchange(high) != high) || changed) settings_dirty_.store(true);
}

void Link::send_settings() noexcept {
    const float t[1] = {temperature_.load()};
    send_now("temperature", "f", nullptr, t);
    const int32_t range[2] = {low_.load(), high_.load()};
    send_now("range", "ii", range, nullptr);
}

bool Link::pop(NoteEvent& event) noexcept {
    return ring_.getReadableDataSize() >= sizeof(NoteEvent) && ring_.readCustomType(event);
}

void Link::drain(int64_t now) noexcept {
    char datagram[1536];
    for (;;) {
        const ssize_t size = recv(fd_, datagram, sizeof datagram, MSG_DONTWAIT);
        if (size < 0) {
            if (errno == ECONNREFUSED) online_.store(false, std::memory_order_release);
            return;
        }
        osc::Message message;
        if (!osc::read(datagram, size_t(size), message)) continue;
        const char* verb = nullptr;
        const int performer = reply_performer(message.address, verb);
        if (performer < 0) continue;
        // Anything serve says (a status answer, an error, a note) means it is there.
        if (!online_.exchange(true, std::memory_order_acq_rel)) send_settings(), settings_dirty_.store(false);
        last_heard_ns_ = now;
        if (performer != performer_.load()) continue;
        NoteEvent event{now, 0, 0, 0, 0};
        if (std::strcmp(verb, "noteon") == 0 && message.nints >= 3) {
            event.on = 1;
            event.velocity = uint8_t(message.ints[1] & 127);
            event.button = uint8_t(message.ints[2] & 7);
        } else if (std::strcmp(verb, "noteoff") == 0 && message.nints >= 2) {
            event.button = uint8_t(message.ints[1] & 7);
        } else {
            continue;
        }
        if (message.ints[0] < 0 || message.ints[0] > 127) continue;
        event.pitch = uint8_t(message.ints[0]);
        if (ring_.writeCustomType(event)) ring_.commitWrite();
    }
}

void Link::run() {
    unsigned generation = server_generation_.load();
    int64_t last_beat = 0;
    last_heard_ns_ = 0;
    while (running_.load()) {
        pollfd pfd{fd_, POLLIN, 0};
        poll(&pfd, 1, 10);
        const int64_t now = monotonic_ns();
        const unsigned wanted = server_generation_.load();
        if (wanted != generation) {
            generation = wanted;
            connect_peer();
            settings_dirty_.store(true);
        }
        drain(now);
        if (online_.load() && now - last_heard_ns_ > int64_t(kOfflineAfterMs) * 1000000) online_.store(false);
        if (now - last_beat >= int64_t(kHeartbeatMs) * 1000000) {
            last_beat = now;
            send_now("status", "", nullptr, nullptr);
        }
        if (online_.load() && settings_dirty_.exchange(false)) send_settings();
    }
}

}  // namespace genie
