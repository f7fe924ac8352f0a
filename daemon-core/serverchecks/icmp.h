#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

#include <functional>
#include <optional>

// ICMP echo packets and sockets for the ping check, as pure functions where possible so that they
// can be tested without a network.
namespace prophasis::icmp {

enum class Family
{
    V4,
    V6,
};

// Opens a socket like socket(2): a descriptor, or -1 with errno set. Tests inject failures.
using SocketOpener = std::function<int(int domain, int type, int protocol)>;
int openSystemSocket(int domain, int type, int protocol);

struct PingSocket
{
    int fd = -1;
    bool raw = false; // a raw socket sees every ICMP packet of the host: filter by identifier
    QString problem;  // why there is none: a message for the admin, with what to change
    bool permissionDenied = false;
};

// An unprivileged ICMP socket (SOCK_DGRAM, IPPROTO_ICMP/ICMPV6: allowed when the process's group
// is inside net.ipv4.ping_group_range; the kernel filters replies per socket), else a raw socket
// (needs CAP_NET_RAW), non-blocking. Without either: fd -1 and a problem saying how to allow one.
PingSocket openPingSocket(Family family, const SocketOpener &open = openSystemSocket);

// The message when neither kind of socket may be opened: the sysctl and the capability.
QString permissionProblem(const QString &rangeNow, unsigned groupId);

quint16 internetChecksum(QByteArrayView bytes);

// An echo request with its checksum (ICMPv6: left 0, the kernel fills it in).
QByteArray echoRequest(Family family, quint16 identifier, quint16 sequence, QByteArrayView payload);

struct EchoReply
{
    quint16 identifier = 0;
    quint16 sequence = 0;
    QByteArray payload;
};

// An echo reply from what a socket received; nullopt for anything else (another ICMP type, a
// short packet). Raw IPv4 sockets deliver the IP header first; the others do not.
std::optional<EchoReply> parseEchoReply(QByteArrayView packet, Family family, bool raw);

} // namespace prophasis::icmp
