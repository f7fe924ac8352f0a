#include "tests/security/sslscanreport.h"

#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QXmlStreamReader>

namespace prophasis::test {

namespace {

// Cipher name parts that mean no or broken encryption, or no server authentication, in OpenSSL's
// names ("NULL-SHA", "EXP-RC4-MD5", "DES-CBC3-SHA", "ADH-AES128-SHA", "AECDH-…") and the IANA ones
// ("TLS_RSA_WITH_3DES_EDE_CBC_SHA", "TLS_DH_anon_…").
const char *const WeakCipherParts[] = {"NULL", "EXP", "EXPORT", "RC4",  "DES",
                                       "3DES", "ADH", "AECDH",  "anon", "MD5"};

bool isWeakCipherName(const QString &name)
{
    static const QRegularExpression separators(QStringLiteral("[-_]"));
    const QStringList parts = name.split(separators);
    for (const char *weak : WeakCipherParts) {
        if (parts.contains(QString::fromLatin1(weak), Qt::CaseInsensitive))
            return true;
    }
    return false;
}

QString protocolName(const QString &type, const QString &version)
{
    return type == QStringLiteral("ssl") ? QStringLiteral("SSLv") + version
                                         : QStringLiteral("TLSv") + version;
}

} // namespace

SslscanReport SslscanReport::parse(const QByteArray &xml, QString *error)
{
    SslscanReport report;
    QStringList protocolsSeen;
    QXmlStreamReader reader(xml);
    while (!reader.atEnd()) {
        if (reader.readNext() != QXmlStreamReader::StartElement)
            continue;
        const QXmlStreamAttributes attributes = reader.attributes();
        if (reader.name() == QStringLiteral("protocol")) {
            const QString name = protocolName(attributes.value(QStringLiteral("type")).toString(),
                                              attributes.value(QStringLiteral("version")).toString());
            protocolsSeen.append(name);
            if (attributes.value(QStringLiteral("enabled")) != QStringLiteral("1"))
                continue;
            report.enabledProtocols.append(name);
            if (name != QStringLiteral("TLSv1.2") && name != QStringLiteral("TLSv1.3"))
                report.weaknesses.append(name + QStringLiteral(" is accepted"));
        } else if (reader.name() == QStringLiteral("cipher")) {
            const QString cipher = attributes.value(QStringLiteral("cipher")).toString();
            const QString version = attributes.value(QStringLiteral("sslversion")).toString();
            const int bits = attributes.value(QStringLiteral("bits")).toInt();
            const QString strength = attributes.value(QStringLiteral("strength")).toString();
            const QString line = QStringLiteral("%1 %2 (%3 bits)").arg(version, cipher).arg(bits);
            report.acceptedCiphers.append(line);
            if (bits < 128)
                report.weaknesses.append(line + QStringLiteral(": fewer than 128 bits"));
            else if (isWeakCipherName(cipher))
                report.weaknesses.append(
                    line + QStringLiteral(": a NULL, EXPORT, RC4, DES, MD5 or anonymous cipher"));
            // sslscan's own verdict too: it knows cipher ids our name rule might miss.
            else if (strength == QStringLiteral("null") || strength == QStringLiteral("anonymous") ||
                     strength == QStringLiteral("weak") || strength == QStringLiteral("medium"))
                report.weaknesses.append(line + QStringLiteral(": sslscan calls it ") + strength);
        }
    }
    if (reader.hasError()) {
        *error = QStringLiteral("sslscan's report is not XML: ") + reader.errorString();
        return {};
    }
    if (protocolsSeen.isEmpty()) {
        *error = QStringLiteral("sslscan's report lists no protocol (could it connect?):\n") +
                 QString::fromUtf8(xml);
        return {};
    }
    if (report.enabledProtocols.isEmpty() || report.acceptedCiphers.isEmpty()) {
        *error = QStringLiteral("sslscan found no working protocol or cipher: the scan did not reach TLS\n") +
                 QString::fromUtf8(xml);
        return {};
    }
    return report;
}

SslscanReport scanTlsPort(const QString &host, quint16 port, QString *error)
{
    const QString program = QStandardPaths::findExecutable(QStringLiteral("sslscan"));
    if (program.isEmpty()) {
        *error = QStringLiteral("sslscan is not installed (scripts/deps.sh --test installs it)");
        return {};
    }
    QProcess scan;
    scan.start(program, {QStringLiteral("--no-colour"), QStringLiteral("--xml=-"),
                         QStringLiteral("%1:%2").arg(host).arg(port)});
    if (!scan.waitForFinished(60'000) || scan.exitStatus() != QProcess::NormalExit || scan.exitCode() != 0) {
        scan.kill();
        scan.waitForFinished();
        *error = QStringLiteral("sslscan failed: ") + QString::fromUtf8(scan.readAllStandardError());
        return {};
    }
    // The XML document follows the human-readable lines on the same output.
    const QByteArray output = scan.readAllStandardOutput();
    const qsizetype start = output.indexOf("<?xml");
    if (start < 0) {
        *error = QStringLiteral("sslscan printed no XML report:\n") + QString::fromUtf8(output);
        return {};
    }
    return SslscanReport::parse(output.mid(start), error);
}

} // namespace prophasis::test
