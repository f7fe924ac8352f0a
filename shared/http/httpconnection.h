#pragma once

#include <QElapsedTimer>
#include <QObject>
#include <QPointer>
#include <QTimer>

#include "shared/http/httphandler.h"
#include "shared/http/httplimits.h"
#include "shared/http/httprequestparser.h"

class QSslSocket;

namespace prophasis {

class HttpConnection;

// What the copies of one HttpResponder share: which connection, and which of its requests.
struct HttpResponderState
{
    QPointer<HttpConnection> connection;
    quint64 serial = 0;
};

// One established TLS connection (internal to HttpsServer). It reads one request at a time,
// hands it to the handler, writes the answer, and only then reads the next request, so a
// pipelined request waits (in a bounded socket buffer) and answers never swap. It enforces the
// per-connection limits: time to receive a request, idle time between requests, time to write.
class HttpConnection : public QObject
{
    Q_OBJECT
public:
    HttpConnection(QSslSocket *socket, const HttpLimits &limits, HttpHandler dispatch, QObject *parent);
    ~HttpConnection() override;

    void start();
    // Closes at once, discarding anything unsent (server shutdown).
    void abort();

    // From HttpResponder::send: answers request `serial` if it is the one waiting.
    void respond(quint64 serial, const HttpResponse &response);
    bool isAwaiting(quint64 serial) const;
    // HttpResponder::stream and HttpStream: a streamed answer to request `serial`.
    bool startStream(quint64 serial, const HttpResponse &head);
    bool writeStream(quint64 serial, QByteArrayView data);
    void closeStream(quint64 serial);
    bool isStreaming(quint64 serial) const;

private:
    enum class Phase
    {
        Idle,      // waiting for the first byte of a request (idle timeout)
        Receiving, // a request has started (request timeout)
        Handling,  // the handler has it (no timeout here: handlers bound their own work)
        Writing,   // the response is being sent (write timeout)
        Streaming, // a streamed body is open (write timeout while bytes wait; backlog bound)
        Closing,   // close after the response; TLS close_notify is on its way
        Closed,
    };

    void processInput();
    void dispatch(HttpRequest request);
    void sendResponse(const HttpResponse &response, bool keepAlive);
    void checkWritten();
    void scheduleWriteCheck();
    void onTimeout();
    void onDisconnected();
    void enterIdle();

    QSslSocket *m_socket;
    HttpLimits m_limits;
    HttpHandler m_dispatch;
    HttpRequestParser m_parser;
    ClientInfo m_client;
    QString m_peer;     // "address:port" for log lines
    QByteArray m_input; // read from the socket, not yet consumed by the parser
    QTimer m_timer;
    QElapsedTimer m_requestClock;
    Phase m_phase = Phase::Idle;
    quint64 m_serial = 0;
    QByteArray m_method;
    QString m_path;
    bool m_keepAlive = false;
    bool m_closeAfterWrite = false;
    bool m_continueSent = false;
    bool m_writeCheckQueued = false;
    std::shared_ptr<HttpResponderState> m_pending;
};

} // namespace prophasis
