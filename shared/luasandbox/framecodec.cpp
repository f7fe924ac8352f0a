#include "shared/luasandbox/framecodec.h"

namespace prophasis {

namespace {
constexpr std::size_t CompactThreshold = 64 * 1024;
} // namespace

std::optional<std::string> encodeLuaFrame(std::string_view payload)
{
    if (payload.empty() || payload.size() > MaxLuaFrameBytes)
        return std::nullopt;
    const auto length = static_cast<std::uint32_t>(payload.size());
    std::string frame;
    frame.reserve(LuaFrameHeaderBytes + payload.size());
    frame.push_back(static_cast<char>((length >> 24) & 0xff));
    frame.push_back(static_cast<char>((length >> 16) & 0xff));
    frame.push_back(static_cast<char>((length >> 8) & 0xff));
    frame.push_back(static_cast<char>(length & 0xff));
    frame.append(payload);
    return frame;
}

void LuaFrameDecoder::feed(std::string_view bytes)
{
    // Drop what was handed out before growing, so a long-lived stream does not keep every frame.
    if (m_offset > 0 && m_offset == m_buffer.size()) {
        m_buffer.clear();
        m_offset = 0;
    } else if (m_offset >= CompactThreshold) {
        m_buffer.erase(0, m_offset);
        m_offset = 0;
    }
    m_buffer.append(bytes);
}

LuaFrameDecoder::Status LuaFrameDecoder::next(std::string *payload)
{
    if (m_malformed)
        return Status::Malformed;
    if (buffered() < LuaFrameHeaderBytes)
        return Status::NeedMore;
    const auto *header = reinterpret_cast<const unsigned char *>(m_buffer.data() + m_offset);
    const std::size_t length = (std::size_t(header[0]) << 24) | (std::size_t(header[1]) << 16) |
                               (std::size_t(header[2]) << 8) | std::size_t(header[3]);
    if (length == 0 || length > MaxLuaFrameBytes) {
        m_malformed = true;
        return Status::Malformed;
    }
    if (buffered() < LuaFrameHeaderBytes + length)
        return Status::NeedMore;
    payload->assign(m_buffer, m_offset + LuaFrameHeaderBytes, length);
    m_offset += LuaFrameHeaderBytes + length;
    return Status::Frame;
}

void LuaFrameDecoder::clear()
{
    m_buffer.clear();
    m_offset = 0;
    m_malformed = false;
}

} // namespace prophasis
