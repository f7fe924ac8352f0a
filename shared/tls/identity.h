#pragma once

#include <QByteArray>
#include <QSslCertificate>
#include <QSslKey>
#include <QString>
#include <QStringList>

#include <optional>

namespace prophasis {

// A key pair and its self-signed certificate: what the agent and the core present over TLS.
// Peers pin the public key (spkiSha256), never the certificate, so a renewed certificate for
// the same key changes nothing.
struct TlsIdentity
{
    QSslKey privateKey;
    QSslCertificate certificate;
    // The CA certificates that come after it in the file (a CA-issued certificate for the core's
    // HTTPS port): sent along, since phones refuse a certificate whose chain they cannot build.
    QList<QSslCertificate> intermediates;

    bool isNull() const { return privateKey.isNull() || certificate.isNull(); }

    // An EC P-256 key and a certificate valid for `validDays`, with the common name and the
    // subject alternative names (DNS names or IP addresses) given.
    static TlsIdentity generate(const QString &commonName, const QStringList &subjectAltNames = {},
                                int validDays = 3650);
    // A new certificate for the same key (renewal keeps every pin valid).
    static TlsIdentity renew(const QSslKey &privateKey, const QString &commonName,
                             const QStringList &subjectAltNames = {}, int validDays = 3650);

    // Reads PEM files (the certificate file may go on with its chain); nullopt with *error when
    // either is missing or they do not belong together.
    static std::optional<TlsIdentity> load(const QString &keyFile, const QString &certificateFile,
                                           QString *error);
    // The certificate and its intermediates, PEM, in the order a server sends them.
    QByteArray certificatePem() const;
    // Writes PEM files, the key readable by its owner only.
    bool save(const QString &keyFile, const QString &certificateFile, QString *error) const;
};

// SHA-256 of the certificate's DER SubjectPublicKeyInfo, as 64 lower-case hex digits: the pin.
QString spkiSha256(const QSslCertificate &certificate);
QString spkiSha256(const QSslKey &publicOrPrivateKey);

} // namespace prophasis
