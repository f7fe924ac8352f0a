#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QObject>
#include <QPointer>
#include <QStringList>
#include <QTimer>

#include "console/client/sseparser.h"

class QNetworkReply;

namespace prophasis {

class ApiClient;

// The core's event stream (GET /api/v1/events, Server-Sent Events) for the console: reconnects by
// itself with a growing pause, resumes with Last-Event-ID, and says when the console must reload
// (reset(): the core restarted or the console was away too long).
class EventStreamClient : public QObject
{
    Q_OBJECT
public:
    static constexpr int FirstRetryMs = 500;
    static constexpr int MaxRetryMs = 15'000;
    // The core sends a comment at least every 15 s; silence for this long means the connection
    // died without telling us.
    static constexpr int SilenceLimitMs = 45'000;

    explicit EventStreamClient(ApiClient &client, QObject *parent = nullptr);
    ~EventStreamClient() override;

    // Opens the stream (every event type when `types` is empty) and keeps it open until stop().
    void start(const QStringList &types = {});
    void stop();
    bool isConnected() const { return m_connected; }
    QByteArray lastEventId() const { return m_lastEventId; }

Q_SIGNALS:
    // data: {"subject": "host"|"service", "id", "name", "from", "to", "time"}
    void healthChanged(const QJsonObject &data);
    // A system log entry (its JSON as GET /api/v1/logs lists it).
    void logged(const QJsonObject &data);
    // An object was changed: {"collection"/"object", "id", "action", …} — reload what shows it.
    void configurationChanged(const QJsonObject &data);
    // Events were lost: reload everything shown.
    void reset(const QString &reason);
    void connectedChanged(bool connected);

private:
    void open();
    void readAvailable();
    void closed();
    void scheduleReconnect();
    void deliver(const SseEvent &event);
    void setConnected(bool connected);

    ApiClient &m_client;
    QStringList m_types;
    QPointer<QNetworkReply> m_reply;
    SseParser m_parser;
    QByteArray m_lastEventId;
    QTimer m_reconnect;
    QTimer m_silence;
    int m_retryMs = FirstRetryMs;
    bool m_running = false;
    bool m_connected = false;
    bool m_everConnected = false;
};

} // namespace prophasis
