#include "daemon-core/serverchecks/tcpcheck.h"

#include <QTcpSocket>

#include "daemon-core/serverchecks/checkarguments.h"

namespace prophasis {

using namespace serverchecks;

TcpCheck::TcpCheck(ServerCheckRequest request, QObject *parent)
    : ServerCheck(std::move(request), parent)
{
}

TcpCheck::~TcpCheck()
{
    cancel();
}

QString TcpCheck::where() const
{
    return QStringLiteral("%1 port %2").arg(m_request.target.address).arg(m_port);
}

void TcpCheck::begin()
{
    const qint64 port = integerArgument(m_request.arguments, QStringLiteral("port"), 0);
    if (port < 1 || port > 65535) {
        fail(ResultType::RequestError, QStringLiteral("port must be between 1 and 65535"));
        return;
    }
    m_port = quint16(port);
    m_send = unescape(stringArgument(m_request.arguments, QStringLiteral("send")));
    const QString expect = stringArgument(m_request.arguments, QStringLiteral("expect"));
    if (!expect.isEmpty()) {
        QString error;
        m_expect = compilePattern(QStringLiteral("expect"), expect, &error);
        if (!m_expect) {
            fail(ResultType::RequestError, error);
            return;
        }
    }
    m_socket = new QTcpSocket(this);
    connect(m_socket, &QTcpSocket::connected, this, &TcpCheck::onConnected);
    connect(m_socket, &QTcpSocket::readyRead, this, &TcpCheck::onReadyRead);
    connect(m_socket, &QTcpSocket::disconnected, this, &TcpCheck::onClosed);
    connect(m_socket, &QTcpSocket::errorOccurred, this, &TcpCheck::onError);
    m_socket->connectToHost(m_request.target.address, m_port);
}

void TcpCheck::cancel()
{
    if (QTcpSocket *socket = m_socket) {
        m_socket = nullptr;
        disconnect(socket, nullptr, this, nullptr);
        socket->abort();
        socket->deleteLater();
    }
}

void TcpCheck::onConnected()
{
    m_connectMs = elapsedMsPrecise();
    if (!m_send.isEmpty()) {
        m_socket->write(m_send);
        m_socket->flush(); // the check may end right away and abort the socket
    }
    if (!m_expect) {
        succeed(*m_connectMs, QStringLiteral("%1 open: connected in %2").arg(where(), formatMs(*m_connectMs)),
                {{QStringLiteral("time_connect_ms"), *m_connectMs, QStringLiteral("ms")}});
        return;
    }
    onReadyRead(); // a banner may have come with the handshake
}

void TcpCheck::onReadyRead()
{
    if (!m_socket || !m_connectMs || isFinished())
        return;
    m_banner.append(m_socket->read(MaxTcpBannerBytes - m_banner.size()));
    if (m_expect->match(QString::fromUtf8(m_banner)).hasMatch())
        finishWithBanner(true);
    else if (m_banner.size() >= MaxTcpBannerBytes)
        finishWithBanner(false);
}

void TcpCheck::onClosed()
{
    if (isFinished() || !m_connectMs)
        return;
    if (m_socket)
        m_banner.append(m_socket->read(MaxTcpBannerBytes - m_banner.size()));
    finishWithBanner(m_expect->match(QString::fromUtf8(m_banner)).hasMatch());
}

void TcpCheck::finishWithBanner(bool matched)
{
    const double totalMs = elapsedMsPrecise();
    const QList<Metric> metrics = {
        {QStringLiteral("time_connect_ms"), *m_connectMs, QStringLiteral("ms")},
        {QStringLiteral("time_total_ms"), totalMs, QStringLiteral("ms")},
        {QStringLiteral("banner_bytes"), double(m_banner.size()), QStringLiteral("B")},
    };
    const QString opened = QStringLiteral("%1 open: connected in %2").arg(where(), formatMs(*m_connectMs));
    if (matched) {
        succeed(*m_connectMs,
                QStringLiteral("%1; answer matches /%2/: '%3'")
                    .arg(opened, m_expect->pattern(), printable(m_banner)),
                metrics);
    } else if (m_banner.isEmpty()) {
        succeed(*m_connectMs,
                QStringLiteral("%1, but it closed the connection without sending anything (expected /%2/)")
                    .arg(opened, m_expect->pattern()),
                metrics, PluginStatus::Critical);
    } else {
        succeed(*m_connectMs,
                QStringLiteral("%1, but the answer does not match /%2/: '%3'")
                    .arg(opened, m_expect->pattern(), printable(m_banner)),
                metrics, PluginStatus::Critical);
    }
}

void TcpCheck::onError()
{
    if (isFinished() || !m_socket)
        return;
    if (m_connectMs) {
        // After connecting, a reset or close ends the banner: judge what arrived.
        onClosed();
        return;
    }
    switch (m_socket->error()) {
    case QAbstractSocket::ConnectionRefusedError:
        fail(ResultType::ConnectionError,
             QStringLiteral("connection to %1 refused: nothing listens there").arg(where()));
        return;
    case QAbstractSocket::HostNotFoundError:
        fail(ResultType::ConnectionError,
             QStringLiteral("cannot resolve %1: no such host name").arg(m_request.target.address));
        return;
    default:
        fail(ResultType::ConnectionError,
             QStringLiteral("cannot connect to %1: %2").arg(where(), m_socket->errorString()));
    }
}

QString TcpCheck::timeoutMessage() const
{
    if (!m_connectMs)
        return QStringLiteral(
                   "no connection to %1 within %2 (no answer: filtered by a firewall, or the host is down)")
            .arg(where(), timeoutText());
    return QStringLiteral("%1 open: connected in %2, but no answer matching /%3/ within %4 (received '%5')")
        .arg(where(), formatMs(*m_connectMs), m_expect ? m_expect->pattern() : QString(), timeoutText(),
             printable(m_banner));
}

} // namespace prophasis
