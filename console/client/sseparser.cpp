#include "console/client/sseparser.h"

namespace prophasis {

QList<SseEvent> SseParser::feed(const QByteArray &bytes, bool *overflow)
{
    QList<SseEvent> done;
    if (overflow)
        *overflow = false;
    m_buffer.append(bytes);
    qsizetype start = 0;
    for (;;) {
        if (m_skipLeadingLf && start < m_buffer.size()) {
            // A CR ended the last line; a LF right after it belongs to the same line break.
            if (m_buffer.at(start) == '\n')
                ++start;
            m_skipLeadingLf = false;
        }
        qsizetype end = start;
        while (end < m_buffer.size() && m_buffer.at(end) != '\n' && m_buffer.at(end) != '\r')
            ++end;
        if (end == m_buffer.size())
            break;
        const char terminator = m_buffer.at(end);
        takeLine(m_buffer.mid(start, end - start), done);
        start = end + 1;
        if (terminator == '\r')
            m_skipLeadingLf = true;
    }
    m_buffer.remove(0, start);
    if (m_buffer.size() > MaxLineBytes) {
        m_buffer.clear();
        if (overflow)
            *overflow = true;
    }
    return done;
}

void SseParser::clear()
{
    m_buffer.clear();
    m_event = {};
    m_hasData = false;
    m_skipLeadingLf = false;
}

void SseParser::takeLine(const QByteArray &line, QList<SseEvent> &done)
{
    if (line.isEmpty()) {
        // A blank line dispatches the event, if it had data (the standard drops data-less ones).
        if (m_hasData)
            done.append(m_event);
        const int retry = m_event.retryMs;
        m_event = {};
        if (!m_hasData && retry >= 0) {
            SseEvent retryOnly;
            retryOnly.type.clear();
            retryOnly.retryMs = retry;
            done.append(retryOnly);
        }
        m_hasData = false;
        return;
    }
    if (line.startsWith(':'))
        return; // a comment (the core's keep-alive)
    const qsizetype colon = line.indexOf(':');
    const QByteArray field = colon < 0 ? line : line.left(colon);
    QByteArray value = colon < 0 ? QByteArray() : line.mid(colon + 1);
    if (value.startsWith(' '))
        value.remove(0, 1);
    if (field == "data") {
        if (m_hasData)
            m_event.data.append('\n');
        m_event.data.append(value);
        m_hasData = true;
    } else if (field == "event") {
        m_event.type = value.isEmpty() ? QByteArray("message") : value;
    } else if (field == "id") {
        if (!value.contains('\0'))
            m_event.id = value;
    } else if (field == "retry") {
        bool ok = false;
        const int retry = value.toInt(&ok);
        if (ok && retry >= 0)
            m_event.retryMs = retry;
    }
}

} // namespace prophasis
