#include "daemon-core/serverchecks/icmp.h"

#include <QFile>

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#ifdef __linux__
#include <linux/icmp.h>
#include <netinet/icmp6.h>
#endif

namespace prophasis::icmp {

namespace {

constexpr quint8 EchoRequestV4 = 8;
constexpr quint8 EchoReplyV4 = 0;
constexpr quint8 EchoRequestV6 = 128;
constexpr quint8 EchoReplyV6 = 129;
constexpr int HeaderBytes = 8;

// Only echo replies reach a raw socket: fewer wake-ups when many pings run at once.
void filterEchoReplies([[maybe_unused]] int fd, [[maybe_unused]] Family family)
{
#ifdef __linux__
    if (family == Family::V4) {
        icmp_filter filter{};
        filter.data = ~(1U << EchoReplyV4);
        setsockopt(fd, SOL_RAW, ICMP_FILTER, &filter, sizeof filter);
    } else {
        icmp6_filter filter{};
        ICMP6_FILTER_SETBLOCKALL(&filter);
        ICMP6_FILTER_SETPASS(ICMP6_ECHO_REPLY, &filter);
        setsockopt(fd, IPPROTO_ICMPV6, ICMP6_FILTER, &filter, sizeof filter);
    }
#endif
}

QString pingGroupRange()
{
    QFile file(QStringLiteral("/proc/sys/net/ipv4/ping_group_range"));
    if (!file.open(QIODevice::ReadOnly))
        return QStringLiteral("unknown");
    return QString::fromLatin1(file.readAll()).simplified();
}

} // namespace

int openSystemSocket(int domain, int type, int protocol)
{
    return ::socket(domain, type | SOCK_NONBLOCK | SOCK_CLOEXEC, protocol);
}

QString permissionProblem(const QString &rangeNow, unsigned groupId)
{
    return QStringLiteral(
               "ICMP ping is not permitted to the core: unprivileged ICMP sockets need the core's group "
               "(gid %1) inside net.ipv4.ping_group_range (now \"%2\"), and raw sockets need the capability "
               "CAP_NET_RAW. Allow one: sysctl -w net.ipv4.ping_group_range=\"0 2147483647\" (and the same "
               "line "
               "in a file in /etc/sysctl.d/ to keep it), or grant CAP_NET_RAW "
               "(AmbientCapabilities=CAP_NET_RAW in the core's systemd unit)")
        .arg(groupId)
        .arg(rangeNow);
}

PingSocket openPingSocket(Family family, const SocketOpener &open)
{
    const int domain = family == Family::V4 ? AF_INET : AF_INET6;
    const int protocol = family == Family::V4 ? int(IPPROTO_ICMP) : int(IPPROTO_ICMPV6);
    PingSocket socket;
    socket.fd = open(domain, SOCK_DGRAM, protocol);
    if (socket.fd >= 0)
        return socket;
    const int dgramError = errno;
    socket.fd = open(domain, SOCK_RAW, protocol);
    if (socket.fd >= 0) {
        socket.raw = true;
        filterEchoReplies(socket.fd, family);
        return socket;
    }
    const int rawError = errno;
    if ((dgramError == EACCES || dgramError == EPERM || dgramError == EPROTONOSUPPORT) &&
        (rawError == EACCES || rawError == EPERM)) {
        socket.permissionDenied = true;
        socket.problem = permissionProblem(pingGroupRange(), unsigned(getgid()));
    } else if (dgramError == EAFNOSUPPORT || rawError == EAFNOSUPPORT) {
        socket.problem =
            QStringLiteral("the core cannot ping over %1: the address family is not available here")
                .arg(family == Family::V4 ? QStringLiteral("IPv4") : QStringLiteral("IPv6"));
    } else {
        socket.problem = QStringLiteral("cannot open an ICMP socket: %1")
                             .arg(QString::fromLocal8Bit(std::strerror(rawError)));
    }
    return socket;
}

quint16 internetChecksum(QByteArrayView bytes)
{
    quint32 sum = 0;
    qsizetype i = 0;
    for (; i + 1 < bytes.size(); i += 2)
        sum += (quint32(quint8(bytes[i])) << 8) | quint8(bytes[i + 1]);
    if (i < bytes.size())
        sum += quint32(quint8(bytes[i])) << 8;
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return quint16(~sum);
}

QByteArray echoRequest(Family family, quint16 identifier, quint16 sequence, QByteArrayView payload)
{
    QByteArray packet(HeaderBytes, '\0');
    packet[0] = char(family == Family::V4 ? EchoRequestV4 : EchoRequestV6);
    packet[4] = char(identifier >> 8);
    packet[5] = char(identifier & 0xff);
    packet[6] = char(sequence >> 8);
    packet[7] = char(sequence & 0xff);
    packet.append(payload.data(), payload.size());
    if (family == Family::V4) {
        const quint16 checksum = internetChecksum(packet);
        packet[2] = char(checksum >> 8);
        packet[3] = char(checksum & 0xff);
    }
    return packet;
}

std::optional<EchoReply> parseEchoReply(QByteArrayView packet, Family family, bool raw)
{
    if (raw && family == Family::V4) {
        if (packet.size() < 20)
            return std::nullopt;
        const int headerLength = (quint8(packet[0]) & 0x0f) * 4;
        if (headerLength < 20 || packet.size() < headerLength)
            return std::nullopt;
        packet = packet.sliced(headerLength);
    }
    if (packet.size() < HeaderBytes)
        return std::nullopt;
    if (quint8(packet[0]) != (family == Family::V4 ? EchoReplyV4 : EchoReplyV6) || packet[1] != 0)
        return std::nullopt;
    EchoReply reply;
    reply.identifier = quint16((quint8(packet[4]) << 8) | quint8(packet[5]));
    reply.sequence = quint16((quint8(packet[6]) << 8) | quint8(packet[7]));
    reply.payload = packet.sliced(HeaderBytes).toByteArray();
    return reply;
}

} // namespace prophasis::icmp
