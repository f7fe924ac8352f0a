#pragma once

#include <QByteArray>
#include <QDeadlineTimer>
#include <QList>
#include <QObject>
#include <QPair>
#include <QPointer>
#include <QSslConfiguration>
#include <QString>
#include <QTimer>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>

#include "daemon-core/dispatch/httpresponseparser.h"
#include "shared/domain/checkresult.h"

class QSslSocket;

namespace prophasis {

// Where one agent listens and the key it must present.
struct AgentEndpoint
{
    QString name;    // the host's name, for messages
    QString address; // DNS name or IP address
    quint16 port = 0;
    QString spkiSha256; // the pinned key; a connection presenting another is refused
    friend bool operator==(const AgentEndpoint &, const AgentEndpoint &) = default;
};

struct AgentRequest
{
    QByteArray method;
    QByteArray target; // path and query, already encoded: "/v1/plugins/x?allow_downgrade=1"
    QList<QPair<QByteArray, QByteArray>> headers;
    QByteArray body;
    std::chrono::milliseconds totalTimeout{30'000}; // connect + send + answer
};

// How a request ended: the agent's answer (any status), or a transport failure typed as the
// result it becomes (connection_error, timeout, tls_error, request_error).
struct AgentReply
{
    std::optional<HttpClientResponse> response;
    ResultType failure = ResultType::Success; // set when there is no response
    QString message;                          // for a person; set on failure
    qint64 elapsedMs = 0;

    bool ok() const { return response.has_value(); }
    static AgentReply failed(ResultType type, const QString &message);
};

// An HTTP/1.1 client for one agent over mutual TLS: the core's identity as client certificate, the
// agent's key checked against the pin on every new connection before a byte of a request is sent
// (never CA validation), and the connection kept alive for the next request (a fresh handshake
// costs 30–40× a request). One request at a time; each has a connect deadline (TCP and TLS) and
// a total one, and a deadline hit aborts the connection, so neither a dead host nor a trickling
// one holds a request longer than it was given.
class AgentClient : public QObject
{
    Q_OBJECT
public:
    using Callback = std::function<void(const AgentReply &)>;

    struct Limits
    {
        std::chrono::milliseconds connectTimeout{5'000};
        // Below the agent's idle timeout (120 s), so the core closes first instead of racing the
        // agent's close with a new request.
        std::chrono::milliseconds maxIdle{90'000};
        qint64 maxResponseBodyBytes = HttpResponseParser::DefaultMaxBodyBytes;
    };

    // `tls`: pinnedClientConfiguration(core identity), made once and shared by every client.
    AgentClient(AgentEndpoint endpoint, QSslConfiguration tls, Limits limits, QObject *parent = nullptr);
    ~AgentClient() override;

    const AgentEndpoint &endpoint() const { return m_endpoint; }
    bool isBusy() const { return bool(m_callback); }
    bool isConnected() const;

    // Sends `request` and calls `done` exactly once (never from inside send()), unless abort()
    // or the destructor comes first. Only one request at a time: a second one while busy is
    // answered with a request_error.
    void send(AgentRequest request, Callback done);
    // Drops the connection and any request in progress without calling its callback.
    void abort();

    // TLS connections this client opened (each a full handshake), for tests and metrics.
    quint64 connectionsOpened() const { return m_connectionsOpened; }

Q_SIGNALS:
    // The agent presented another key than the pinned one: refused, and a security event.
    void keyMismatch(const QString &pinnedSpki, const QString &presentedSpki);
    void connectionOpened();

private:
    enum class Phase
    {
        Idle,       // no request; the connection (if any) is kept alive
        Connecting, // TCP and TLS handshake under the connect deadline
        Waiting,    // request written, answer awaited under the total deadline
    };

    void openConnection();
    void onEncrypted();
    void onReadyRead();
    void onSocketError();
    void onDisconnected();
    void onTimer();
    void writeRequest();
    void complete(AgentReply reply);
    void fail(ResultType type, const QString &message);
    void dropSocket();
    void startTimer(std::chrono::milliseconds interval);
    QString where() const;

    AgentEndpoint m_endpoint;
    QSslConfiguration m_tls;
    Limits m_limits;
    QSslSocket *m_socket = nullptr;
    QTimer m_timer; // the connect deadline, then the total one; the idle limit between requests
    Phase m_phase = Phase::Idle;
    AgentRequest m_request;
    Callback m_callback;
    QByteArray m_wire; // the serialised request, kept for one retry on a fresh connection
    std::unique_ptr<HttpResponseParser> m_parser;
    QDeadlineTimer m_total;
    QElapsedTimer m_clock;
    bool m_reused = false;  // the request went out on a kept-alive connection
    bool m_retried = false; // … and was already retried once on a fresh one
    bool m_inSend = false;
    quint64 m_generation = 0;
    quint64 m_connectionsOpened = 0;
};

} // namespace prophasis
