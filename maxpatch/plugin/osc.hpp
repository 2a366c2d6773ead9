// Just enough OSC 1.0 to write the plugin's messages into a caller's buffer and to read serve's replies. Nothing here
// allocates, so the audio thread can build a press in a stack buffer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace osc {

// Writes one message; `tags` is the type tag string without the comma ('i' and 'f' only). Returns the datagram's
// size, or 0 if it does not fit.
inline size_t write(char* buf, size_t cap, const char* address, const char* tags, const int32_t* ints,
                    const float* floats) {
    size_t n = 0;
    auto put_string = [&](const char* s) -> bool {
        const size_t len = std::strlen(s) + 1;
        const size_t padded = (len + 3) & ~size_t(3);
        if (n + padded > cap) return false;
        std::memcpy(buf + n, s, len);
        std::memset(buf + n + len, 0, padded - len);
        n += padded;
        return true;
    };
    auto put_word = [&](uint32_t w) -> bool {
        if (n + 4 > cap) return false;
        buf[n] = char(w >> 24); buf[n + 1] = char(w >> 16); buf[n + 2] = char(w >> 8); buf[n + 3] = char(w);
        n += 4;
        return true;
    };
    char tagbuf[16] = ",";
    const size_t ntags = std::strlen(tags);
    if (ntags > sizeof(tagbuf) - 2) return 0;
    std::memcpy(tagbuf + 1, tags, ntags + 1);
    if (!put_string(address) || !put_string(tagbuf)) return 0;
    for (size_t i = 0, ii = 0, fi = 0; i < ntags; ++i) {
        uint32_t w;
        if (tags[i] == 'i') {
            w = uint32_t(ints[ii++]);
        } else if (tags[i] == 'f') {
            std::memcpy(&w, &floats[fi++], 4);
        } else {
            return 0;
        }
        if (!put_word(w)) return 0;
    }
    return n;
}

// A reply as the plugin needs it: its address and up to 4 int arguments.
struct Message {
    const char* address = nullptr;
    int nints = 0;
    int32_t ints[4] = {};
};

// Reads a plain message (not a bundle: serve never sends one). Only int arguments are kept; false for anything that
// is not well formed.
inline bool read(const char* buf, size_t size, Message& out) {
    auto string_end = [&](size_t from) -> size_t {  // offset just past the padded string at `from`, 0 if none
        for (size_t i = from; i < size; ++i)
            if (buf[i] == '\0') return (i + 4) & ~size_t(3);
        return 0;
    };
    if (size < 8 || size % 4 != 0 || buf[0] != '/') return false;
    const size_t tags_at = string_end(0);
    if (tags_at == 0 || tags_at >= size || buf[tags_at] != ',') return false;
    size_t at = string_end(tags_at);
    if (at == 0 || at > size) return false;
    out.address = buf;
    out.nints = 0;
    for (const char* t = buf + tags_at + 1; *t; ++t) {
        if (*t == 'i' || *t == 'f') {
            if (at + 4 > size) return false;
            const uint32_t w = (uint32_t(uint8_t(buf[at])) << 24) | (uint32_t(uint8_t(buf[at + 1])) << 16) |
                               (uint32_t(uint8_t(buf[at + 2])) << 8) | uint32_t(uint8_t(buf[at + 3]));
            if (*t == 'i' && out.nints < 4) out.ints[out.nints++] = int32_t(w);
            at += 4;
        } else if (*t == 's') {
            at = string_end(at);
            if (at == 0 || at > size) return false;
        } else {
            return true;  // a tag the plugin has no use for: the arguments before it are all it reads
        }
    }
    return true;
}

}  // namespace osc
