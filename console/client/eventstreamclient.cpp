#include "console/client/eventstreamclient.h"

#include <QJsonDocument>
#include <QLoggingCategory>
#include <QNetworkReply>
#include <QUrlQuery>

#include "console/client/apiclient.h"

namespace prophasis {

namespace {
Q_LOGGING_CATEGORY(lcEventStream, "prophasis.console.events")
} // namespace

EventStreamClient::EventStreamClient(ApiClient &client, QObject *parent)
    : QObject(parent)
    , m_client(client)
{
    m_reconnect.setSingleShot(true);
    connect(&m_reconnect, &QTimer::timeout, this, &EventStreamClient::open);
    m_silence.setSingleShot(true);
    m_silence.setInterval(SilenceLimitMs);
    connect(&m_silence, &QTimer::timeout, this, [this] {
        qCInfo(lcEventStream) << "event stream silent for" << SilenceLimitMs << "ms; reconnecting";
        if (m_reply)
            m_reply->abort();
    });
    // A new session (after expiry) opens the stream again at once.
    connect(&m_client, &ApiClient::loggedIn, this, [this] {
        if (m_running && !m_reply) {
            m_reconnect.stop();
            m_retryMs = FirstRetryMs;
            open();
        }
    });
}

EventStreamClient::~EventStreamClient()
{
    stop();
}

void EventStreamClient::start(const QStringList &types)
{
    stop();
    m_types = types;
    m_running = true;
    m_retryMs = FirstRetryMs;
    open();
}

void EventStreamClient::stop()
{
    m_running = false;
    m_reconnect.stop();
    m_silence.stop();
    if (m_reply) {
        QNetworkReply *reply = m_reply;
        m_reply = nullptr;
        reply->disconnect(this);
        reply->abort();
        reply->deleteLater();
    }
    setConnected(false);
}

void EventStreamClient::open()
{
    if (!m_running || m_reply || !m_client.isLoggedIn())
        return;
    m_parser.clear();
    QUrlQuery query;
    if (!m_types.isEmpty())
        query.addQueryItem(QStringLiteral("types"), m_types.join(u','));
    m_reply = m_client.openStream(QStringLiteral("/api/v1/events"), query, m_lastEventId);
    connect(m_reply, &QNetworkReply::metaDataChanged, this, [this] {
        const int status = m_reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        if (status == 200) {
            m_retryMs = FirstRetryMs;
            setConnected(true);
            m_silence.start();
        }
    });
    connect(m_reply, &QNetworkReply::readyRead, this, &EventStreamClient::readAvailable);
    connect(m_reply, &QNetworkReply::finished, this, &EventStreamClient::closed);
}

void EventStreamClient::readAvailable()
{
    if (!m_reply)
        return;
    const int status = m_reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (status != 200)
        return; // an error body: read in closed()
    m_silence.start();
    bool overflow = false;
    const QList<SseEvent> events = m_parser.feed(m_reply->readAll(), &overflow);
    for (const SseEvent &event : events)
        deliver(event);
    if (overflow && m_reply) {
        qCWarning(lcEventStream) << "event stream sent a line over" << SseParser::MaxLineBytes
                                 << "bytes; reconnecting";
        m_reply->abort();
    }
}

void EventStreamClient::closed()
{
    QNetworkReply *reply = m_reply;
    if (!reply)
        return;
    m_reply = nullptr;
    reply->deleteLater();
    m_silence.stop();
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (status == 401) {
        // The session ended: ApiClient's next call notices too; the stream reopens on loggedIn().
        setConnected(false);
        m_client.noticeSessionEnded();
        return;
    }
    qCInfo(lcEventStream) << "event stream closed:"
                          << (status ? QString::number(status) : reply->errorString());
    setConnected(false);
    scheduleReconnect();
}

void EventStreamClient::scheduleReconnect()
{
    if (!m_running)
        return;
    m_reconnect.start(m_retryMs);
    m_retryMs = std::min(m_retryMs * 2, MaxRetryMs);
}

void EventStreamClient::deliver(const SseEvent &event)
{
    if (event.retryMs >= 0)
        m_retryMs = std::clamp(event.retryMs, FirstRetryMs, MaxRetryMs);
    if (event.type.isEmpty())
        return; // only a retry value
    if (!event.id.isEmpty())
        m_lastEventId = event.id;
    const QJsonObject data = QJsonDocument::fromJson(event.data).object();
    if (event.type == "health")
        Q_EMIT healthChanged(data);
    else if (event.type == "log")
        Q_EMIT logged(data);
    else if (event.type == "configuration")
        Q_EMIT configurationChanged(data);
    else if (event.type == "reset")
        Q_EMIT reset(data.value(QStringLiteral("reason")).toString());
}

void EventStreamClient::setConnected(bool connected)
{
    if (m_connected == connected)
        return;
    m_connected = connected;
    if (connected && m_everConnected && m_lastEventId.isEmpty()) {
        // Reconnected without an id to resume from: whatever happened meanwhile is unknown.
        Q_EMIT reset(tr("reconnected to the core"));
    }
    if (connected)
        m_everConnected = true;
    Q_EMIT connectedChanged(connected);
}

} // namespace prophasis
