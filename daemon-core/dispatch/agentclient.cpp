#include "daemon-core/dispatch/agentclient.h"

#include <QLoggingCategory>
#include <QSslSocket>

#include "shared/tls/identity.h"

namespace prophasis {

namespace {

Q_LOGGING_CATEGORY(lcClient, "prophasis.core.agentclient")

QString seconds(qint64 ms)
{
    return ms % 1000 == 0 ? QStringLiteral("%1 s").arg(ms / 1000)
                          : QStringLiteral("%1 s").arg(double(ms) / 1000.0, 0, 'f', 1);
}

bool isTlsError(QAbstractSocket::SocketError error)
{
    return error == QAbstractSocket::SslHandshakeFailedError || error == QAbstractSocket::SslInternalError ||
           error == QAbstractSocket::SslInvalidUserDataError;
}

} // namespace

AgentReply AgentReply::failed(ResultType type, const QString &message)
{
    AgentReply reply;
    reply.failure = type;
    reply.message = message;
    return reply;
}

AgentClient::AgentClient(AgentEndpoint endpoint, QSslConfiguration tls, Limits limits, QObject *parent)
    : QObject(parent)
    , m_endpoint(std::move(endpoint))
    , m_tls(std::move(tls))
    , m_limits(limits)
{
    m_timer.setSingleShot(true);
    m_timer.setTimerType(Qt::PreciseTimer); // coarse timers fire up to 5 % early
    connect(&m_timer, &QTimer::timeout, this, &AgentClient::onTimer);
}

AgentClient::~AgentClient()
{
    abort();
}

bool AgentClient::isConnected() const
{
    return m_socket && m_socket->state() == QAbstractSocket::ConnectedState && m_socket->isEncrypted();
}

QString AgentClient::where() const
{
    const QString address =
        m_endpoint.address.contains(u':') ? u'[' + m_endpoint.address + u']' : m_endpoint.address;
    return QStringLiteral("%1 (%2:%3)").arg(m_endpoint.name, address).arg(m_endpoint.port);
}

void AgentClient::send(AgentRequest request, Callback done)
{
    if (m_callback) {
        QMetaObject::invokeMethod(
            this,
            [done = std::move(done)] {
                done(AgentReply::failed(
                    ResultType::RequestError,
                    QStringLiteral("internal error: a second request to the same agent while one runs")));
            },
            Qt::QueuedConnection);
        return;
    }
    m_clock.start();
    m_total.setRemainingTime(request.totalTimeout, Qt::PreciseTimer);
    m_callback = std::move(done);
    m_retried = false;

    const QString hostHeader =
        (m_endpoint.address.contains(u':') ? u'[' + m_endpoint.address + u']' : m_endpoint.address) + u':' +
        QString::number(m_endpoint.port);
    m_wire.clear();
    m_wire.reserve(256 + request.body.size());
    m_wire += request.method + ' ' + request.target + " HTTP/1.1\r\nHost: " + hostHeader.toUtf8() +
              "\r\nUser-Agent: prophasis-core/" PROPHASIS_VERSION "\r\n";
    for (const auto &[name, value] : request.headers)
        m_wire += name + ": " + value + "\r\n";
    if (!request.body.isEmpty() || request.method == "POST" || request.method == "PUT")
        m_wire += "Content-Length: " + QByteArray::number(request.body.size()) + "\r\n";
    m_wire += "\r\n";
    m_wire += request.body;
    m_request = std::move(request);

    m_reused = isConnected();
    m_inSend = true;
    if (m_reused)
        writeRequest();
    else
        openConnection();
    m_inSend = false;
}

void AgentClient::abort()
{
    ++m_generation; // cancels an answer already posted
    m_timer.stop();
    m_callback = {};
    m_phase = Phase::Idle;
    dropSocket();
}

void AgentClient::openConnection()
{
    dropSocket();
    m_phase = Phase::Connecting;
    m_socket = new QSslSocket(this);
    m_socket->setSslConfiguration(m_tls);
    connect(m_socket, &QSslSocket::encrypted, this, &AgentClient::onEncrypted);
    connect(m_socket, &QSslSocket::sslErrors, this, [this](const QList<QSslError> &errors) {
        // Never CA validation: the pin decides. Errors are ignored by explicit list, and only for
        // the pinned key; onEncrypted() checks the pin again when there were none.
        if (m_socket && spkiSha256(m_socket->peerCertificate()) == m_endpoint.spkiSha256)
            m_socket->ignoreSslErrors(errors);
        else
            onEncrypted(); // refuses the connection and reports the key it presented
    });
    connect(m_socket, &QSslSocket::readyRead, this, &AgentClient::onReadyRead);
    connect(m_socket, &QSslSocket::errorOccurred, this, &AgentClient::onSocketError);
    connect(m_socket, &QSslSocket::disconnected, this, &AgentClient::onDisconnected);
    const qint64 remaining = m_total.remainingTime();
    startTimer(std::chrono::milliseconds(
        std::min<qint64>(m_limits.connectTimeout.count(), std::max<qint64>(remaining, 0))));
    m_socket->connectToHostEncrypted(m_endpoint.address, m_endpoint.port);
}

void AgentClient::onEncrypted()
{
    if (m_phase != Phase::Connecting || !m_socket)
        return;
    const QString presented = spkiSha256(m_socket->peerCertificate());
    if (presented != m_endpoint.spkiSha256) {
        // Refused before a byte of the request went out.
        dropSocket();
        qCCritical(lcClient).noquote() << "security:" << where() << "presented the key" << presented
                                       << "instead of the pinned" << m_endpoint.spkiSha256;
        Q_EMIT keyMismatch(m_endpoint.spkiSha256, presented);
        fail(ResultType::TlsError,
             QStringLiteral(
                 "%1 presented the key %2, not the pinned key %3: refused (reinstalled agent or impostor? "
                 "enroll the host again if the change is intended)")
                 .arg(where(), presented.isEmpty() ? QStringLiteral("(none)") : presented,
                      m_endpoint.spkiSha256));
        return;
    }
    ++m_connectionsOpened;
    m_socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    Q_EMIT connectionOpened();
    writeRequest();
}

void AgentClient::writeRequest()
{
    m_phase = Phase::Waiting;
    m_parser = std::make_unique<HttpResponseParser>(m_limits.maxResponseBodyBytes);
    startTimer(std::chrono::milliseconds(std::max<qint64>(m_total.remainingTime(), 0)));
    m_socket->write(m_wire);
}

void AgentClient::onReadyRead()
{
    if (!m_socket)
        return;
    const QByteArray bytes = m_socket->readAll();
    if (m_phase != Phase::Waiting) {
        // Nothing was asked: an agent never talks unasked. Start afresh next time.
        if (m_phase == Phase::Idle && !bytes.isEmpty())
            dropSocket();
        return;
    }
    switch (m_parser->feed(bytes)) {
    case HttpResponseParser::State::NeedMore:
        return;
    case HttpResponseParser::State::Error:
        dropSocket();
        fail(ResultType::RequestError,
             QStringLiteral("%1 sent a malformed answer: %2").arg(where(), m_parser->errorMessage()));
        return;
    case HttpResponseParser::State::Complete:
        break;
    }
    AgentReply reply;
    reply.response = m_parser->take();
    if (!reply.response->keepAlive || m_parser->hasExcessBytes())
        dropSocket();
    complete(std::move(reply));
}

void AgentClient::onSocketError()
{
    if (!m_socket)
        return;
    const QAbstractSocket::SocketError error = m_socket->error();
    const QString text = m_socket->errorString();
    if (m_phase == Phase::Idle) {
        dropSocket(); // a kept-alive connection the agent closed (idle limit, restart)
        return;
    }
    if (m_phase == Phase::Waiting) {
        // A kept-alive connection may close just as a request goes out: once, on a fresh one.
        if (m_reused && !m_retried && m_parser->isUntouched() && !isTlsError(error)) {
            qCDebug(lcClient).noquote()
                << where() << "closed the kept-alive connection; retrying on a fresh one";
            m_retried = true;
            m_reused = false;
            openConnection();
            return;
        }
        // An answer that runs to the end of the connection ends here.
        if (m_parser->finish() == HttpResponseParser::State::Complete) {
            AgentReply reply;
            reply.response = m_parser->take();
            dropSocket();
            complete(std::move(reply));
            return;
        }
    }
    const bool connecting = m_phase == Phase::Connecting;
    dropSocket();
    if (isTlsError(error)) {
        fail(ResultType::TlsError, QStringLiteral("the TLS handshake with %1 failed: %2").arg(where(), text));
    } else if (error == QAbstractSocket::HostNotFoundError) {
        fail(ResultType::ConnectionError,
             QStringLiteral("cannot resolve the address of %1: %2").arg(where(), text));
    } else if (error == QAbstractSocket::ConnectionRefusedError) {
        fail(ResultType::ConnectionError,
             QStringLiteral("%1 refused the connection: is the agent running and listening on that port?")
                 .arg(where()));
    } else if (connecting) {
        fail(ResultType::ConnectionError, QStringLiteral("cannot connect to %1: %2").arg(where(), text));
    } else {
        fail(ResultType::ConnectionError,
             QStringLiteral("the connection to %1 broke before the answer arrived: %2").arg(where(), text));
    }
}

void AgentClient::onDisconnected()
{
    // errorOccurred usually comes first and drops the socket; this covers a quiet close.
    if (m_socket)
        onSocketError();
}

void AgentClient::onTimer()
{
    switch (m_phase) {
    case Phase::Idle:
        dropSocket(); // idle too long: close before the agent does
        return;
    case Phase::Connecting:
        dropSocket();
        if (m_total.hasExpired())
            fail(ResultType::Timeout, QStringLiteral("%1 did not answer within %2")
                                          .arg(where(), seconds(m_request.totalTimeout.count())));
        else
            fail(ResultType::Timeout,
                 QStringLiteral("cannot connect to %1 within %2 (host down or unreachable?)")
                     .arg(where(), seconds(m_limits.connectTimeout.count())));
        return;
    case Phase::Waiting:
        // A late answer would arrive on this connection: it cannot carry another request.
        dropSocket();
        fail(ResultType::Timeout, QStringLiteral("%1 did not answer within %2; the request was cut off")
                                      .arg(where(), seconds(m_request.totalTimeout.count())));
        return;
    }
}

void AgentClient::complete(AgentReply reply)
{
    m_timer.stop();
    m_phase = Phase::Idle;
    m_parser.reset();
    m_request.body.clear();
    m_wire.clear();
    reply.elapsedMs = m_clock.elapsed();
    if (isConnected())
        startTimer(m_limits.maxIdle);
    Callback callback = std::exchange(m_callback, {});
    if (!callback)
        return;
    if (m_inSend) { // a failure noticed inside send(): the caller is not ready for the answer yet
        QMetaObject::invokeMethod(
            this,
            [this, callback, reply, generation = m_generation] {
                if (generation == m_generation)
                    callback(reply);
            },
            Qt::QueuedConnection);
        return;
    }
    // Last: the callback may send the next request at once.
    callback(reply);
}

void AgentClient::fail(ResultType type, const QString &message)
{
    qCDebug(lcClient).noquote() << message;
    complete(AgentReply::failed(type, message));
}

void AgentClient::dropSocket()
{
    if (!m_socket)
        return;
    QSslSocket *socket = std::exchange(m_socket, nullptr);
    socket->disconnect(this);
    socket->abort();
    socket->deleteLater();
}

void AgentClient::startTimer(std::chrono::milliseconds interval)
{
    m_timer.start(interval);
}

} // namespace prophasis
