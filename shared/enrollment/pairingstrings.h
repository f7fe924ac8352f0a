#pragma once

#include <QString>
#include <QStringView>
#include <QUrl>

#include <optional>

namespace prophasis {

// The strings an admin copies between machines to pair an agent with a core (SPEC §9). Each is
// a fixed prefix and the unpadded base64url of a JSON object: one line, no quoting problems, safe
// for IPv6 addresses.

// Printed by `prophasis-agent init`, pasted into the console:
// prophasis-enroll-v1:<{"host", "port", "spki_sha256", "token"}>
struct EnrollmentString
{
    QString host;
    quint16 port = 0;
    QString spkiSha256; // the agent's key, checked by the core before it presents the token
    QString token;      // one-time

    QString encode() const;
    static std::optional<EnrollmentString> decode(QStringView text, QString *error);
    friend bool operator==(const EnrollmentString &, const EnrollmentString &) = default;
};

// Issued by the core for unattended installs, given to `prophasis-agent init --join`:
// prophasis-join-v1:<{"core", "spki_sha256", "token"}>
struct JoinString
{
    QUrl core;          // https://host:port of the core's API
    QString spkiSha256; // the core's key, checked by the agent before it sends anything
    QString token;      // one-time

    QString encode() const;
    static std::optional<JoinString> decode(QStringView text, QString *error);
    friend bool operator==(const JoinString &, const JoinString &) = default;
};

// A fresh one-time token: 32 random bytes as unpadded base64url (43 characters).
QString generatePairingToken();
// What is stored instead of a token: its SHA-256 as hex.
QString pairingTokenHash(const QString &token);
// Constant-time comparison of a presented token with a stored hash.
bool pairingTokenMatches(const QString &presentedToken, const QString &storedHash);

} // namespace prophasis
