#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QPair>
#include <QString>

#include <memory>

namespace prophasis {

// What an agent answered: the status, the header fields and the whole body.
struct HttpClientResponse
{
    int status = 0;
    QList<QPair<QByteArray, QByteArray>> headers;
    QByteArray body;
    bool keepAlive = false; // the connection may carry the next request

    // The first header named `name` (ASCII case-insensitive); empty when absent.
    QByteArray header(QByteArrayView name) const;
};

// An incremental HTTP/1.1 response parser over bytes (Boost.Beast's underneath), with bounded
// head and body, so an agent — or something pretending to be one — cannot make the core buffer
// without end. No sockets: it can be tested on its own.
class HttpResponseParser
{
public:
    // The agent's answers are small JSON objects; a megabyte is far beyond any legitimate one.
    static constexpr qint64 DefaultMaxBodyBytes = 1024 * 1024;
    static constexpr qsizetype MaxHeadBytes = 16 * 1024;

    enum class State
    {
        NeedMore,
        Complete, // take() the response
        Error,    // errorMessage() says why; the connection must be closed
    };

    explicit HttpResponseParser(qint64 maxBodyBytes = DefaultMaxBodyBytes);
    ~HttpResponseParser();
    HttpResponseParser(const HttpResponseParser &) = delete;
    HttpResponseParser &operator=(const HttpResponseParser &) = delete;

    // Takes all bytes. Bytes after a complete response are kept as excess (an agent never sends
    // any: the caller drops such a connection).
    State feed(QByteArrayView bytes);
    // The peer closed the connection: completes a response whose body runs to the end of the
    // connection, fails any other unfinished one.
    State finish();

    State state() const { return m_state; }
    bool hasExcessBytes() const { return m_excess; }
    // No byte of a response has arrived yet (a kept-alive connection closed under us may be
    // retried on a fresh one).
    bool isUntouched() const { return m_buffer.isEmpty() && m_state == State::NeedMore && !m_started; }
    QString errorMessage() const { return m_error; }
    HttpClientResponse take();

private:
    State run();
    State fail(const QString &message);

    class Beast;
    std::unique_ptr<Beast> m_beast;
    qint64 m_maxBodyBytes;
    QByteArray m_buffer; // bytes Beast has not consumed yet (an incomplete head)
    State m_state = State::NeedMore;
    bool m_started = false;
    bool m_excess = false;
    QString m_error;
};

} // namespace prophasis
