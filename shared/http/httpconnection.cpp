#include "shared/http/httpconnection.h"

#include <QSslCipher>
#include <QSslSocket>

#include <exception>

#include "shared/http/httplog.h"
#include "shared/tls/identity.h"

namespace prophasis {

namespace {

// Decrypted bytes Qt may hold for one connection. While a request is being handled nothing is
// read, so this bounds what a client can pipeline into memory; TCP flow control does the rest.
constexpr qint64 ReadBufferBytes = 64 * 1024;

QHostAddress plainAddress(const QHostAddress &address)
{
    // A dual-stack listener sees IPv4 clients as ::ffff:a.b.c.d; callers compare and log IPv4.
    bool isIpv4 = false;
    const quint32 ipv4 = address.toIPv4Address(&isIpv4);
    return isIpv4 ? QHostAddress(ipv4) : address;
}

} // namespace

HttpResponder::HttpResponder(std::shared_ptr<HttpResponderState> state)
    : m_state(std::move(state))
{
}

void HttpResponder::send(HttpResponse response) const
{
    if (m_state && m_state->connection)
        m_state->connection->respond(m_state->serial, response);
}

bool HttpResponder::isPending() const
{
    return m_state && m_state->connection && m_state->connection->isAwaiting(m_state->serial);
}

HttpStream HttpResponder::stream(const HttpResponse &head) const
{
    if (!m_state || !m_state->connection || !m_state->connection->startStream(m_state->serial, head))
        return {};
    return HttpStream(m_state);
}

HttpStream::HttpStream(std::shared_ptr<HttpResponderState> state)
    : m_state(std::move(state))
{
}

bool HttpStream::write(QByteArrayView data) const
{
    return m_state && m_state->connection && m_state->connection->writeStream(m_state->serial, data);
}

void HttpStream::close() const
{
    if (m_state && m_state->connection)
        m_state->connection->closeStream(m_state->serial);
}

bool HttpStream::isOpen() const
{
    return m_state && m_state->connection && m_state->connection->isStreaming(m_state->serial);
}

HttpConnection::HttpConnection(QSslSocket *socket, const HttpLimits &limits, HttpHandler dispatch,
                               QObject *parent)
    : QObject(parent)
    , m_socket(socket)
    , m_limits(limits)
    , m_dispatch(std::move(dispatch))
    , m_parser(limits)
{
    m_socket->setParent(this);
    m_socket->setReadBufferSize(ReadBufferBytes);
    m_client.address = plainAddress(m_socket->peerAddress());
    m_client.port = m_socket->peerPort();
    m_client.certificate = m_socket->peerCertificate();
    m_client.spkiSha256 = spkiSha256(m_client.certificate);
    m_peer = m_client.address.protocol() == QAbstractSocket::IPv6Protocol
                 ? QStringLiteral("[%1]:%2").arg(m_client.address.toString()).arg(m_client.port)
                 : QStringLiteral("%1:%2").arg(m_client.address.toString()).arg(m_client.port);
    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, &HttpConnection::onTimeout);
    connect(m_socket, &QSslSocket::readyRead, this, &HttpConnection::processInput);
    // Checked later, not now: QSslSocket emits bytesWritten while the encrypted bytes are still
    // inside OpenSSL, when both byte counts read zero although nothing went out yet.
    connect(m_socket, &QSslSocket::bytesWritten, this, &HttpConnection::scheduleWriteCheck);
    connect(m_socket, &QSslSocket::encryptedBytesWritten, this, &HttpConnection::scheduleWriteCheck);
    connect(m_socket, &QSslSocket::disconnected, this, &HttpConnection::onDisconnected);
    connect(m_socket, &QSslSocket::errorOccurred, this, [this](QAbstractSocket::SocketError error) {
        if (error != QAbstractSocket::RemoteHostClosedError)
            qCDebug(lcHttp) << "connection from" << m_peer << "failed:" << m_socket->errorString();
        if (m_socket->state() == QAbstractSocket::UnconnectedState)
            onDisconnected();
    });
}

HttpConnection::~HttpConnection() = default;

void HttpConnection::start()
{
    qCDebug(lcHttp).noquote() << "TLS connection from" << m_peer << m_socket->sessionCipher().protocolString()
                              << m_socket->sessionCipher().name()
                              << (m_client.spkiSha256.isEmpty()
                                      ? QStringLiteral("without a client certificate")
                                      : QStringLiteral("client key ") + m_client.spkiSha256);
    enterIdle();
}

void HttpConnection::abort()
{
    if (m_phase == Phase::Closed)
        return;
    m_phase = Phase::Closed;
    m_timer.stop();
    m_pending.reset();
    m_socket->abort();
    deleteLater();
}

bool HttpConnection::isAwaiting(quint64 serial) const
{
    return m_phase == Phase::Handling && serial == m_serial;
}

void HttpConnection::enterIdle()
{
    m_phase = Phase::Idle;
    m_continueSent = false;
    m_timer.start(m_limits.idleTimeout);
    // A pipelined request may already be waiting.
    processInput();
}

void HttpConnection::processInput()
{
    while (m_phase == Phase::Idle || m_phase == Phase::Receiving) {
        if (m_input.isEmpty()) {
            m_input = m_socket->readAll();
            if (m_input.isEmpty())
                return;
        }
        if (m_phase == Phase::Idle) {
            m_phase = Phase::Receiving;
            m_requestClock.start();
            m_timer.start(m_limits.requestTimeout);
        }
        const HttpRequestParser::Result result = m_parser.feed(m_input);
        m_input.remove(0, result.consumed);
        switch (result.state) {
        case HttpRequestParser::State::NeedMore:
            if (!m_continueSent && m_parser.expectsContinue()) {
                m_continueSent = true;
                m_socket->write("HTTP/1.1 100 Continue\r\n\r\n");
            }
            break;
        case HttpRequestParser::State::Complete:
            dispatch(m_parser.take());
            return;
        case HttpRequestParser::State::Error:
            if (result.errorStatus == 413 || result.errorStatus == 414 || result.errorStatus == 431)
                qCWarning(lcHttp).noquote() << "refusing a request from" << m_peer << "with"
                                            << result.errorStatus << "-" << result.errorMessage;
            else
                qCDebug(lcHttp).noquote()
                    << "malformed request from" << m_peer << "-" << result.errorStatus << result.errorMessage;
            m_method.clear();
            m_path.clear();
            sendResponse(HttpResponse::error(result.errorStatus, result.errorMessage), false);
            return;
        }
    }
}

void HttpConnection::dispatch(HttpRequest request)
{
    m_timer.stop();
    m_phase = Phase::Handling;
    m_keepAlive = request.keepAlive;
    m_method = request.method;
    m_path = request.path;
    m_pending = std::make_shared<HttpResponderState>(HttpResponderState{this, ++m_serial});
    const quint64 serial = m_serial;
    // A handler's exception is its own bug: it must not take the server or other clients down.
    try {
        m_dispatch(request, m_client, HttpResponder(m_pending));
        return;
    } catch (const std::exception &exception) {
        qCWarning(lcHttp).noquote() << "the handler of" << m_method << m_path << "from" << m_peer
                                    << "threw:" << exception.what();
    } catch (...) {
        qCWarning(lcHttp).noquote() << "the handler of" << m_method << m_path << "from" << m_peer
                                    << "threw an unknown exception";
    }
    respond(serial, HttpResponse::error(
                        500, QStringLiteral("the server failed to handle this request; its log says why")));
}

void HttpConnection::respond(quint64 serial, const HttpResponse &response)
{
    if (!isAwaiting(serial)) {
        qCDebug(lcHttp).noquote() << "dropping a late or second answer to" << m_peer;
        return;
    }
    const bool close = response.header("Connection").toLower().contains("close");
    sendResponse(response, m_keepAlive && !close);
}

bool HttpConnection::startStream(quint64 serial, const HttpResponse &head)
{
    if (!isAwaiting(serial))
        return false;
    qCDebug(lcHttp).noquote() << m_method << m_path << "from" << m_peer << "->" << head.status << "streaming";
    // The serial stays: the stream's handles name this request.
    m_phase = Phase::Streaming;
    m_closeAfterWrite = true;
    m_timer.stop();
    m_socket->write(head.serializeStreamHead());
    scheduleWriteCheck();
    return true;
}

bool HttpConnection::isStreaming(quint64 serial) const
{
    return m_phase == Phase::Streaming && serial == m_serial;
}

bool HttpConnection::writeStream(quint64 serial, QByteArrayView data)
{
    if (!isStreaming(serial))
        return false;
    if (m_socket->bytesToWrite() + m_socket->encryptedBytesToWrite() + data.size() >
        HttpStream::MaxBacklogBytes) {
        qCWarning(lcHttp).noquote() << "the stream to" << m_peer << "fell more than"
                                    << describeByteCount(HttpStream::MaxBacklogBytes) << "behind - closing";
        abort();
        return false;
    }
    m_socket->write(data.data(), data.size());
    // Runs until the socket reports progress (checkWritten): a reader that stopped reading is
    // cut off after the write timeout even while only small heartbeats are written to it.
    if (!m_timer.isActive())
        m_timer.start(m_limits.writeTimeout);
    return true;
}

void HttpConnection::closeStream(quint64 serial)
{
    if (!isStreaming(serial))
        return;
    m_pending.reset();
    m_phase = Phase::Writing; // closes once the rest is out (m_closeAfterWrite)
    m_timer.start(m_limits.writeTimeout);
    scheduleWriteCheck();
}

void HttpConnection::sendResponse(const HttpResponse &response, bool keepAlive)
{
    if (!m_method.isEmpty()) {
        qCDebug(lcHttp).noquote() << m_method << m_path << "from" << m_peer << "->" << response.status << "in"
                                  << m_requestClock.elapsed() << "ms";
    }
    m_pending.reset();
    m_phase = Phase::Writing;
    m_closeAfterWrite = !keepAlive;
    m_socket->write(m_method == "HEAD" ? response.serializeHead(keepAlive) : response.serialize(keepAlive));
    m_timer.start(m_limits.writeTimeout);
    // Writes complete asynchronously; checking from the event loop also keeps a handler that
    // answers synchronously out of the next request's processing.
    scheduleWriteCheck();
}

// One check queued at a time: a response otherwise posts three (this, bytesWritten and
// encryptedBytesWritten), each a trip through the event queue.
void HttpConnection::scheduleWriteCheck()
{
    if (m_writeCheckQueued)
        return;
    m_writeCheckQueued = true;
    QMetaObject::invokeMethod(this, &HttpConnection::checkWritten, Qt::QueuedConnection);
}

void HttpConnection::checkWritten()
{
    m_writeCheckQueued = false;
    if (m_phase == Phase::Streaming) {
        // Bytes moved: all gone stops the write timeout, some left gives it a fresh start.
        if (m_socket->bytesToWrite() == 0 && m_socket->encryptedBytesToWrite() == 0)
            m_timer.stop();
        else
            m_timer.start(m_limits.writeTimeout);
        return;
    }
    if (m_phase != Phase::Writing || m_socket->bytesToWrite() > 0 || m_socket->encryptedBytesToWrite() > 0)
        return;
    if (m_closeAfterWrite) {
        m_phase = Phase::Closing;
        // Bounded too: a peer that never reads cannot keep the socket.
        m_timer.start(m_limits.writeTimeout);
        m_socket->disconnectFromHost();
        return;
    }
    enterIdle();
}

void HttpConnection::onTimeout()
{
    switch (m_phase) {
    case Phase::Idle:
        qCDebug(lcHttp).noquote() << "closing the idle connection from" << m_peer;
        m_phase = Phase::Closing;
        m_timer.start(m_limits.writeTimeout);
        m_socket->disconnectFromHost();
        break;
    case Phase::Receiving:
        qCWarning(lcHttp).noquote() << "the request from" << m_peer << "did not arrive within"
                                    << describeDuration(m_limits.requestTimeout) << "- closing";
        m_method.clear();
        sendResponse(HttpResponse::error(408, QStringLiteral("the request did not arrive within %1")
                                                  .arg(describeDuration(m_limits.requestTimeout))),
                     false);
        break;
    case Phase::Streaming:
    case Phase::Writing:
        qCWarning(lcHttp).noquote() << "the response to" << m_peer << "was not taken within"
                                    << describeDuration(m_limits.writeTimeout) << "- closing";
        abort();
        break;
    case Phase::Closing:
        abort();
        break;
    case Phase::Handling:
    case Phase::Closed:
        break;
    }
}

void HttpConnection::onDisconnected()
{
    if (m_phase == Phase::Closed)
        return;
    m_phase = Phase::Closed;
    m_timer.stop();
    m_pending.reset();
    deleteLater();
}

} // namespace prophasis
