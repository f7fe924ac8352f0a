#pragma once

#include <QByteArray>
#include <QString>
#include <QStringList>

namespace prophasis::test {

// What sslscan (Debian's, `--xml=-`) says a TLS port accepts, judged against our rule for every
// port we open: TLS 1.2 or newer only, and only ciphers of at least 128 bits that authenticate the
// server and are not NULL, EXPORT, RC4, DES or 3DES. Kept apart from running sslscan so the rule
// itself can be tested on a recorded report of a weak server.
struct SslscanReport
{
    QStringList enabledProtocols; // e.g. "TLSv1.2", "TLSv1.3"
    QStringList acceptedCiphers;  // "TLSv1.3 TLS_AES_256_GCM_SHA384 (256 bits)"
    QStringList weaknesses;       // one line for each thing the rule forbids; empty: all good

    // Empty with *error when the text is not a report of one scanned port (e.g. sslscan could not
    // connect: it then lists no protocol at all).
    static SslscanReport parse(const QByteArray &xml, QString *error);
};

// Runs `sslscan --no-colour --xml=- host:port` and parses its report; empty with *error when
// sslscan is missing, fails or does not finish within a minute.
SslscanReport scanTlsPort(const QString &host, quint16 port, QString *error);

} // namespace prophasis::test
