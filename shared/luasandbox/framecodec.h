#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

// Plain C++ (no Qt): the Lua workers (the agent's plugin runner, the core's classifier) and
// their Qt clients share this file.
namespace prophasis {

// The Lua worker's wire format on stdin/stdout: a 4-byte big-endian length, then that many
// bytes of UTF-8 JSON (one object). The cap keeps a confused peer from making the other side
// allocate gigabytes; real requests and answers are a few kilobytes.
inline constexpr std::size_t LuaFrameHeaderBytes = 4;
inline constexpr std::size_t MaxLuaFrameBytes = 16 * 1024 * 1024;

// Header plus payload; nullopt when the payload is empty or over the cap.
std::optional<std::string> encodeLuaFrame(std::string_view payload);

// Collects bytes as they arrive (in any split) and hands out whole frames.
class LuaFrameDecoder
{
public:
    enum class Status
    {
        NeedMore,  // no whole frame buffered yet
        Frame,     // *payload holds the next frame
        Malformed, // a length of 0 or over MaxLuaFrameBytes: the stream cannot be trusted any more
    };

    void feed(std::string_view bytes);
    Status next(std::string *payload);
    // Bytes received but not yet handed out: non-zero at end of input means a cut-off frame.
    std::size_t buffered() const { return m_buffer.size() - m_offset; }
    void clear();

private:
    std::string m_buffer;
    std::size_t m_offset = 0; // start of the first frame not yet handed out
    bool m_malformed = false;
};

} // namespace prophasis
