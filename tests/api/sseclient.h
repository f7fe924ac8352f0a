#pragma once

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSslSocket>

#include <memory>

// A Server-Sent Events reader for tests whose server lives on the same thread: the socket is
// driven by the event loop, and waitFor…() turn it until what is asked for arrived or time ran
// out.
namespace prophasis::test {

struct SseEvent
{
    QByteArray id;
    QByteArray type;
    QByteArray data;

    QJsonObject json() const { return QJsonDocument::fromJson(data).object(); }
};

class SseClient
{
public:
    // Connects and sends GET `target` with the headers; the answer's head is read by waitForHead().
    SseClient(quint16 port, const QByteArray &target, const QList<std::pair<QByteArray, QByteArray>> &headers)
    {
        QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
        tls.setPeerVerifyMode(QSslSocket::VerifyNone);
        m_socket.setSslConfiguration(tls);
        QObject::connect(&m_socket, &QSslSocket::encrypted, [this, target, headers] {
            QByteArray request = "GET " + target + " HTTP/1.1\r\nHost: test\r\nAccept: text/event-stream\r\n";
            for (const auto &[name, value] : headers)
                request += name + ": " + value + "\r\n";
            m_socket.write(request + "\r\n");
        });
        QObject::connect(&m_socket, &QSslSocket::readyRead, [this] { m_buffer += m_socket.readAll(); });
        m_socket.connectToHostEncrypted(QStringLiteral("127.0.0.1"), port);
    }

    // The status of the answer; 0 when none came in time.
    int waitForHead(int timeoutMs = 10'000)
    {
        turnUntil(timeoutMs, [this] { return m_buffer.contains("\r\n\r\n"); });
        const qsizetype end = m_buffer.indexOf("\r\n\r\n");
        if (end < 0)
            return 0;
        m_head = m_buffer.left(end);
        m_buffer.remove(0, end + 4);
        return m_head.split(' ').value(1).toInt();
    }
    const QByteArray &head() const { return m_head; }
    // What followed the head (the body of a refusal).
    QByteArray rest() const { return m_buffer; }

    // Events parsed so far plus those arriving until there are `count` (or time runs out).
    QList<SseEvent> waitForEvents(int count, int timeoutMs = 10'000)
    {
        turnUntil(timeoutMs, [this, count] {
            parse();
            return m_events.size() >= count;
        });
        parse();
        return m_events;
    }
    // Forgets the events read so far.
    void clearEvents() { m_events.clear(); }
    // True once the server closed the connection.
    bool waitForClose(int timeoutMs = 10'000)
    {
        return turnUntil(timeoutMs, [this] { return m_socket.state() == QAbstractSocket::UnconnectedState; });
    }
    bool sawComment(const QByteArray &comment) const { return m_comments.contains(comment); }
    void disconnect() { m_socket.abort(); }

private:
    template <typename Done>
    bool turnUntil(int timeoutMs, Done done)
    {
        QDeadlineTimer deadline(timeoutMs);
        while (!done()) {
            if (deadline.hasExpired())
                return false;
            QCoreApplication::processEvents(QEventLoop::AllEvents, 10);
        }
        return true;
    }

    void parse()
    {
        for (qsizetype end = m_buffer.indexOf("\n\n"); end >= 0; end = m_buffer.indexOf("\n\n")) {
            const QByteArray block = m_buffer.left(end);
            m_buffer.remove(0, end + 2);
            SseEvent event;
            bool any = false;
            for (const QByteArray &line : block.split('\n')) {
                if (line.startsWith(':')) {
                    m_comments.append(line.mid(1).trimmed());
                    continue;
                }
                const qsizetype colon = line.indexOf(':');
                const QByteArray field = line.left(colon);
                const QByteArray value = line.mid(colon + 1).trimmed();
                if (field == "id")
                    event.id = value, any = true;
                else if (field == "event")
                    event.type = value, any = true;
                else if (field == "data")
                    event.data += value, any = true;
            }
            if (any && !event.type.isEmpty())
                m_events.append(event);
        }
    }

    QSslSocket m_socket;
    QByteArray m_buffer;
    QByteArray m_head;
    QList<SseEvent> m_events;
    QList<QByteArray> m_comments;
};

} // namespace prophasis::test
