#pragma once

#include <QByteArray>
#include <QList>

namespace prophasis {

struct SseEvent
{
    QByteArray id; // empty when the event named none (the last id stays in force)
    QByteArray type = "message";
    QByteArray data;
    int retryMs = -1; // a "retry:" field, when one came
};

// The Server-Sent Events wire format (HTML Living Standard §9.2.6), fed in arbitrary pieces.
// Lines are bounded so a broken or hostile stream cannot grow memory without end.
class SseParser
{
public:
    static constexpr qsizetype MaxLineBytes = 1 << 20;

    // Feeds bytes; returns the events completed by them. A record with only a retry value comes
    // back as an event with an empty type. Sets *overflow when a line exceeded the
    // limit (the stream should be dropped).
    QList<SseEvent> feed(const QByteArray &bytes, bool *overflow = nullptr);
    void clear();

private:
    void takeLine(const QByteArray &line, QList<SseEvent> &done);

    QByteArray m_buffer;
    SseEvent m_event;
    bool m_hasData = false;
    bool m_skipLeadingLf = false;
};

} // namespace prophasis
