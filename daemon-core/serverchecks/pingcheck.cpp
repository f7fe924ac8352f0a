#include "daemon-core/serverchecks/pingcheck.h"

#include <QHostInfo>
#include <QRandomGenerator>
#include <QSocketNotifier>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <ctime>

#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "daemon-core/serverchecks/checkarguments.h"

namespace prophasis {

using namespace serverchecks;

namespace {

constexpr int PayloadBytes = 56; // as ping(8): 64 bytes of ICMP
constexpr int TokenBytes = 8;
constexpr qsizetype ReceiveBufferBytes = 2048;
// Packets read per wake-up, so that a socket that is always readable cannot hold the event loop.
constexpr int MaxReadsPerWakeUp = 64;

qint64 realtimeNs()
{
    timespec now{};
    clock_gettime(CLOCK_REALTIME, &now);
    return qint64(now.tv_sec) * 1'000'000'000 + now.tv_nsec;
}

// Raw sockets need an identifier of their own per check; unprivileged ones get the kernel's.
quint16 nextIdentifier()
{
    static std::atomic<quint32> counter{QRandomGenerator::global()->generate()};
    return quint16((counter.fetch_add(1) ^ quint32(getpid())) & 0xffff);
}

QString familyName(icmp::Family family)
{
    return family == icmp::Family::V4 ? QStringLiteral("IPv4") : QStringLiteral("IPv6");
}

} // namespace

PingCheck::PingCheck(ServerCheckRequest request, icmp::SocketOpener openSocket, QObject *parent)
    : ServerCheck(std::move(request), parent)
    , m_openSocket(std::move(openSocket))
{
    m_sendTimer.setTimerType(Qt::PreciseTimer);
    m_waitTimer.setTimerType(Qt::PreciseTimer);
    m_waitTimer.setSingleShot(true);
    connect(&m_sendTimer, &QTimer::timeout, this, &PingCheck::sendNext);
    connect(&m_waitTimer, &QTimer::timeout, this, &PingCheck::complete);
}

PingCheck::~PingCheck()
{
    cancel();
}

void PingCheck::begin()
{
    const QJsonObject &arguments = m_request.arguments;
    m_count = int(integerArgument(arguments, QStringLiteral("count"), m_count));
    m_intervalMs = int(integerArgument(arguments, QStringLiteral("interval_ms"), m_intervalMs));
    m_waitMs = int(integerArgument(arguments, QStringLiteral("wait_ms"), m_waitMs));
    m_familyWanted = stringArgument(arguments, QStringLiteral("family"), QStringLiteral("any")).toLower();
    QString problem;
    if (m_count < 1 || m_count > MaxPingCount)
        problem = QStringLiteral("count must be between 1 and %1").arg(MaxPingCount);
    else if (m_intervalMs < MinPingIntervalMs || m_intervalMs > MaxPingWaitMs)
        problem =
            QStringLiteral("interval_ms must be between %1 and %2").arg(MinPingIntervalMs).arg(MaxPingWaitMs);
    else if (m_waitMs < 1 || m_waitMs > MaxPingWaitMs)
        problem = QStringLiteral("wait_ms must be between 1 and %1").arg(MaxPingWaitMs);
    else if (m_familyWanted != QLatin1String("any") && m_familyWanted != QLatin1String("ipv4") &&
             m_familyWanted != QLatin1String("ipv6"))
        problem = QStringLiteral("family must be any, ipv4 or ipv6");
    if (!problem.isEmpty()) {
        fail(ResultType::RequestError, problem);
        return;
    }
    const QHostAddress literal(m_request.target.address);
    if (!literal.isNull()) {
        startPinging(literal);
        return;
    }
    // A name: resolved by Qt's resolver threads, off the event loop.
    m_lookupId = QHostInfo::lookupHost(m_request.target.address, this, &PingCheck::onResolved);
}

void PingCheck::onResolved(const QHostInfo &info)
{
    m_lookupId = -1;
    if (isFinished())
        return;
    if (info.error() != QHostInfo::NoError) {
        fail(ResultType::ConnectionError,
             QStringLiteral("cannot resolve %1: %2").arg(m_request.target.address, info.errorString()));
        return;
    }
    for (const QHostAddress &address : info.addresses()) {
        const bool v4 = address.protocol() == QAbstractSocket::IPv4Protocol;
        if (m_familyWanted == QLatin1String("any") || (m_familyWanted == QLatin1String("ipv4")) == v4) {
            startPinging(address);
            return;
        }
    }
    fail(ResultType::ConnectionError,
         QStringLiteral("%1 has no %2 address")
             .arg(m_request.target.address,
                  m_familyWanted == QLatin1String("ipv4") ? QStringLiteral("IPv4") : QStringLiteral("IPv6")));
}

void PingCheck::startPinging(const QHostAddress &address)
{
    m_address = address;
    m_family = address.protocol() == QAbstractSocket::IPv6Protocol ? icmp::Family::V6 : icmp::Family::V4;
    if ((m_familyWanted == QLatin1String("ipv4") && m_family != icmp::Family::V4) ||
        (m_familyWanted == QLatin1String("ipv6") && m_family != icmp::Family::V6)) {
        fail(ResultType::RequestError, QStringLiteral("family is %1, but the host's address %2 is %3")
                                           .arg(m_familyWanted, address.toString(), familyName(m_family)));
        return;
    }
    const icmp::PingSocket socket = icmp::openPingSocket(m_family, m_openSocket);
    if (socket.fd < 0) {
        cannotMeasure(socket.problem);
        return;
    }
    m_fd = socket.fd;
    m_raw = socket.raw;
#ifdef SO_TIMESTAMPNS
    const int on = 1;
    setsockopt(m_fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on);
#endif
    m_identifier = nextIdentifier();
    m_payload.resize(PayloadBytes);
    QRandomGenerator::global()->fillRange(reinterpret_cast<quint32 *>(m_payload.data()), TokenBytes / 4);
    for (int i = TokenBytes; i < PayloadBytes; ++i)
        m_payload[i] = char(i);
    m_probes.assign(std::size_t(m_count), Probe{});
    m_notifier = new QSocketNotifier(qintptr(m_fd), QSocketNotifier::Read, this);
    connect(m_notifier, &QSocketNotifier::activated, this, &PingCheck::onReadable);
    m_sendTimer.start(m_intervalMs);
    sendNext();
}

void PingCheck::sendNext()
{
    if (m_sent >= m_count) {
        m_sendTimer.stop();
        return;
    }
    const int next = m_sent++;
    Probe &probe = m_probes[std::size_t(next)];
    const QByteArray packet = icmp::echoRequest(m_family, m_identifier, quint16(next), m_payload);
    sockaddr_storage to{};
    socklen_t toLength = 0;
    if (m_family == icmp::Family::V4) {
        auto *in = reinterpret_cast<sockaddr_in *>(&to);
        in->sin_family = AF_INET;
        in->sin_addr.s_addr = htonl(m_address.toIPv4Address());
        toLength = sizeof(sockaddr_in);
    } else {
        auto *in6 = reinterpret_cast<sockaddr_in6 *>(&to);
        in6->sin6_family = AF_INET6;
        const Q_IPV6ADDR bytes = m_address.toIPv6Address();
        std::memcpy(&in6->sin6_addr, &bytes, sizeof bytes);
        if (!m_address.scopeId().isEmpty()) {
            bool numeric = false;
            const uint index = m_address.scopeId().toUInt(&numeric);
            in6->sin6_scope_id =
                numeric ? index : if_nametoindex(m_address.scopeId().toLocal8Bit().constData());
        }
        toLength = sizeof(sockaddr_in6);
    }
    probe.sentRealNs = realtimeNs();
    probe.sentMonoNs = qint64(elapsedMsPrecise() * 1e6);
    if (::sendto(m_fd, packet.constData(), size_t(packet.size()), 0, reinterpret_cast<sockaddr *>(&to),
                 toLength) < 0)
        m_sendError = QString::fromLocal8Bit(std::strerror(errno));
    if (m_sent == m_count) {
        m_sendTimer.stop();
        m_waitTimer.start(m_waitMs);
    }
}

void PingCheck::onReadable()
{
    char buffer[ReceiveBufferBytes];
    char control[256];
    for (int reads = 0; reads < MaxReadsPerWakeUp; ++reads) {
        iovec io{buffer, sizeof buffer};
        msghdr message{};
        message.msg_iov = &io;
        message.msg_iovlen = 1;
        message.msg_control = control;
        message.msg_controllen = sizeof control;
        const ssize_t received = ::recvmsg(m_fd, &message, MSG_DONTWAIT);
        if (received <= 0)
            return; // EAGAIN: all read; other errors: the wait timer ends the check
        const qint64 nowMonoNs = qint64(elapsedMsPrecise() * 1e6);
        qint64 receivedRealNs = 0;
#ifdef SO_TIMESTAMPNS
        for (cmsghdr *header = CMSG_FIRSTHDR(&message); header; header = CMSG_NXTHDR(&message, header)) {
            if (header->cmsg_level == SOL_SOCKET && header->cmsg_type == SCM_TIMESTAMPNS) {
                timespec stamp{};
                std::memcpy(&stamp, CMSG_DATA(header), sizeof stamp);
                receivedRealNs = qint64(stamp.tv_sec) * 1'000'000'000 + stamp.tv_nsec;
            }
        }
#endif
        const std::optional<icmp::EchoReply> reply =
            icmp::parseEchoReply(QByteArrayView(buffer, received), m_family, m_raw);
        if (!reply || !reply->payload.startsWith(m_payload.left(TokenBytes)))
            continue; // not ours: another check's reply on a raw socket, or another ICMP type
        if (m_raw && reply->identifier != m_identifier)
            continue;
        if (reply->sequence >= m_sent)
            continue;
        Probe &probe = m_probes[reply->sequence];
        if (probe.answered)
            continue; // a duplicate
        probe.answered = true;
        qint64 rttNs = receivedRealNs - probe.sentRealNs;
        if (receivedRealNs == 0 || rttNs <= 0 || rttNs > qint64(MaxPingWaitMs) * 2'000'000)
            rttNs = nowMonoNs - probe.sentMonoNs; // no stamp, or the wall clock stepped
        probe.rttMs = double(rttNs) / 1e6;
        if (++m_answered == m_count) {
            complete();
            return;
        }
    }
}

void PingCheck::complete()
{
    if (isFinished())
        return;
    const QString target = m_address.toString();
    const double loss = 100.0 * double(m_count - m_answered) / double(m_count);
    if (m_answered == 0) {
        fail(ResultType::ConnectionError,
             m_sendError.isEmpty()
                 ? QStringLiteral("no echo reply from %1 to %2 requests (100% loss)").arg(target).arg(m_count)
                 : QStringLiteral("cannot ping %1: %2").arg(target, m_sendError));
        return;
    }
    double minimum = 0;
    double maximum = 0;
    double sum = 0;
    bool first = true;
    for (const Probe &probe : m_probes) {
        if (!probe.answered)
            continue;
        minimum = first ? probe.rttMs : std::min(minimum, probe.rttMs);
        maximum = first ? probe.rttMs : std::max(maximum, probe.rttMs);
        sum += probe.rttMs;
        first = false;
    }
    const double average = sum / m_answered;
    const QList<Metric> metrics = {
        {QStringLiteral("rtt_min_ms"), minimum, QStringLiteral("ms")},
        {QStringLiteral("rtt_avg_ms"), average, QStringLiteral("ms")},
        {QStringLiteral("rtt_max_ms"), maximum, QStringLiteral("ms")},
        {QStringLiteral("packet_loss_percent"), loss, QStringLiteral("%")},
    };
    succeed(average,
            QStringLiteral("%1 of %2 echo replies from %3: round trip min/avg/max %4 / %5 / %6, %7% loss")
                .arg(m_answered)
                .arg(m_count)
                .arg(target, formatMs(minimum), formatMs(average), formatMs(maximum))
                .arg(loss, 0, 'f', 0),
            metrics);
}

void PingCheck::closeSocket()
{
    if (m_notifier) {
        m_notifier->setEnabled(false);
        m_notifier->deleteLater();
        m_notifier = nullptr;
    }
    if (m_fd >= 0) {
        ::close(m_fd);
        m_fd = -1;
    }
}

void PingCheck::cancel()
{
    m_sendTimer.stop();
    m_waitTimer.stop();
    if (m_lookupId >= 0) {
        QHostInfo::abortHostLookup(m_lookupId);
        m_lookupId = -1;
    }
    closeSocket();
}

QString PingCheck::timeoutMessage() const
{
    if (m_address.isNull())
        return QStringLiteral("cannot resolve %1 within %2").arg(m_request.target.address, timeoutText());
    return QStringLiteral(
               "the ping of %1 did not finish within %2 (%3 of %4 replies so far): count × interval_ms "
               "+ wait_ms must fit in the plugin's timeout")
        .arg(m_address.toString(), timeoutText())
        .arg(m_answered)
        .arg(m_count);
}

} // namespace prophasis
