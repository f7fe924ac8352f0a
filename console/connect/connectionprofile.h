#pragma once

#include <QString>
#include <QUrl>

namespace prophasis {

// One saved way to a core: where, as whom, and which key it must present.
struct ConnectionProfile
{
    QString name; // shown in the profile list; unique
    QUrl coreUrl; // https://host:4049
    QString user;
    QString pinnedKey; // SHA-256 of the core's public key (hex); empty: a CA-issued certificate is trusted
    bool rememberPassword = false; // the password is kept in the system keychain, never elsewhere

    bool isValid() const { return !name.isEmpty() && coreUrl.isValid() && !user.isEmpty(); }
    // The keychain entry's key: one password per user and core.
    QString keychainKey() const;
};

// A core address as typed ("core.example", "10.0.0.5:4049", "https://…") as an https URL with
// the management port when none is given; invalid when it cannot be one.
QUrl normalizedCoreUrl(const QString &typed);

// A key fingerprint as people compare it: lower-case hex in groups of four ("3f2a 9c01 …").
QString groupedFingerprint(const QString &hex);

} // namespace prophasis
