#pragma once

#include <QByteArray>
#include <QPointer>
#include <QRegularExpression>

#include <optional>

#include "daemon-core/serverchecks/servercheck.h"

class QTcpSocket;

namespace prophasis {

// Bytes of a banner kept for matching and for the message.
inline constexpr qsizetype MaxTcpBannerBytes = 4096;

// TCP connect check (plugins/server/tcp): connects to a port, optionally sends a text and
// matches what comes back against a pattern. Value: the connect time in ms (name lookup and TCP
// handshake). Metrics: time_connect_ms, and with `expect` time_total_ms and banner_bytes.
class TcpCheck : public ServerCheck
{
    Q_OBJECT
public:
    explicit TcpCheck(ServerCheckRequest request, QObject *parent = nullptr);

    ~TcpCheck() override;

protected:
    void begin() override;
    void cancel() override;
    QString timeoutMessage() const override;

private:
    void onConnected();
    void onReadyRead();
    void onClosed();
    void onError();
    void finishWithBanner(bool matched);
    QString where() const;

    QPointer<QTcpSocket> m_socket;
    quint16 m_port = 0;
    QByteArray m_send;
    std::optional<QRegularExpression> m_expect;
    std::optional<double> m_connectMs;
    QByteArray m_banner;
};

} // namespace prophasis
