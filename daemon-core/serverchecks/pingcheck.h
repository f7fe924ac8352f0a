#pragma once

#include <QByteArray>
#include <QHostAddress>
#include <QPointer>
#include <QTimer>

#include <vector>

#include "daemon-core/serverchecks/icmp.h"
#include "daemon-core/serverchecks/servercheck.h"

class QHostInfo;
class QSocketNotifier;

namespace prophasis {

// Named limits of the ping check's arguments.
inline constexpr int MaxPingCount = 100;
inline constexpr int MinPingIntervalMs = 10;
inline constexpr int MaxPingWaitMs = 60'000;

// ICMP echo check (plugins/server/ping): `count` echo requests `interval_ms` apart, then waits
// up to `wait_ms` for the last replies. Unprivileged ICMP sockets where net.ipv4.ping_group_range
// allows them, else a raw socket (CAP_NET_RAW); without either, a result saying how to allow one.
// The socket is watched by a QSocketNotifier; round trips use the kernel's receive time stamp.
// Value: the average round trip in ms. Metrics: rtt_min_ms, rtt_avg_ms, rtt_max_ms,
// packet_loss_percent. No reply at all is a connection_error.
class PingCheck : public ServerCheck
{
    Q_OBJECT
public:
    PingCheck(ServerCheckRequest request, icmp::SocketOpener openSocket, QObject *parent = nullptr);
    ~PingCheck() override;

protected:
    void begin() override;
    void cancel() override;
    QString timeoutMessage() const override;

private:
    struct Probe
    {
        qint64 sentRealNs = 0; // CLOCK_REALTIME, to compare with the kernel's receive stamp
        qint64 sentMonoNs = 0; // on the check's clock: when the stamp is missing or the wall clock stepped
        bool answered = false;
        double rttMs = 0;
    };

    void onResolved(const QHostInfo &info);
    void startPinging(const QHostAddress &address);
    void sendNext();
    void onReadable();
    void complete();
    void closeSocket();

    icmp::SocketOpener m_openSocket;
    int m_count = 3;
    int m_intervalMs = 500;
    int m_waitMs = 2000;
    QString m_familyWanted;
    int m_lookupId = -1;

    QHostAddress m_address;
    icmp::Family m_family = icmp::Family::V4;
    int m_fd = -1;
    bool m_raw = false;
    QPointer<QSocketNotifier> m_notifier;
    QTimer m_sendTimer;
    QTimer m_waitTimer;
    quint16 m_identifier = 0;
    QByteArray m_payload; // starts with a token of this check: raw sockets see other checks' replies
    std::vector<Probe> m_probes;
    int m_sent = 0;
    int m_answered = 0;
    QString m_sendError;
};

} // namespace prophasis
