#pragma once

#include <QFuture>
#include <QString>

#include <chrono>

namespace prophasis {

struct TlsIdentity;

struct PairingOptions
{
    QString address;  // instead of the host in the enrollment string (e.g. the name the core should use)
    quint16 port = 0; // instead of the port in the string; 0 keeps it
    std::chrono::milliseconds connectTimeout{5'000};
    std::chrono::milliseconds totalTimeout{20'000};
};

struct PairingResult
{
    enum class Error
    {
        None,
        InvalidString, // not an enrollment string
        WrongKey,      // the agent presented another key than the string names: the token was not sent
        TokenRefused,  // wrong, used or expired token
        Throttled,     // too many failed attempts at the agent; try again later
        Unreachable,   // refused, reset, name not found
        Timeout,
        TlsError, // the handshake failed
        Failed,   // any other answer
    };

    Error error = Error::None;
    QString message; // for a person, on failure and on success
    QString address; // where the agent was reached
    quint16 port = 0;
    QString spkiSha256; // the agent's key, checked during the handshake: what the host pins
    QString agentVersion;

    bool ok() const { return error == Error::None; }
};

// Pairs the core with an agent (SPEC §4) from the enrollment string `prophasis-agent init` printed:
// connects, checks the agent's key against the fingerprint in the string before anything is sent,
// then presents the one-time token (POST /v1/enroll, Authorization: Bearer) with the core's
// identity as client certificate, which the agent pins. Asynchronous: call it on a thread with an
// event loop; the future finishes there. Storing the pinned key on the host is the caller's part.
class HostPairing
{
public:
    static QFuture<PairingResult> pair(const QString &enrollmentString, const TlsIdentity &coreIdentity,
                                       const PairingOptions &options = {});
};

} // namespace prophasis
