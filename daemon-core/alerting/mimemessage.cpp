#include "daemon-core/alerting/mimemessage.h"

#include <QUuid>

namespace prophasis {

namespace {

// RFC 2047 limits a line holding encoded words to 76 characters. 39 bytes of UTF-8 (a multiple of
// 3: no padding inside a word) make a 64-character word, which fits after "Subject: " and on
// each continuation line.
constexpr qsizetype MaxBytesPerWord = 39;
constexpr qsizetype Base64LineLength = 76;
// A subject longer than this is cut: nobody reads it, and headers have a hard line limit.
constexpr qsizetype MaxSubjectCharacters = 250;

QString withoutControls(QString text)
{
    for (QChar &c : text) {
        if (c.category() == QChar::Other_Control || c == QChar::LineSeparator ||
            c == QChar::ParagraphSeparator)
            c = u' ';
    }
    return text;
}

bool isPlainAscii(const QString &text)
{
    for (QChar c : text) {
        if (c.unicode() < 0x20 || c.unicode() > 0x7e)
            return false;
    }
    // "=?" would read as the start of an encoded word.
    return !text.contains(QStringLiteral("=?"));
}

QByteArray mailDomain(const QString &address)
{
    const qsizetype at = address.lastIndexOf(u'@');
    const QByteArray domain = at >= 0 ? address.mid(at + 1).toLatin1() : QByteArray();
    return domain.isEmpty() ? QByteArrayLiteral("prophasis.invalid") : domain;
}

} // namespace

QByteArray encodeHeaderText(const QString &text)
{
    QString clean = withoutControls(text);
    if (clean.size() > MaxSubjectCharacters)
        clean = clean.left(MaxSubjectCharacters - 1) + u'…';
    if (isPlainAscii(clean))
        return clean.toLatin1();
    QList<QByteArray> words;
    QByteArray chunk;
    // Whole code points only: a surrogate pair goes into one word with its partner.
    for (qsizetype i = 0; i < clean.size();) {
        const qsizetype length = clean.at(i).isHighSurrogate() && i + 1 < clean.size() ? 2 : 1;
        const QByteArray bytes = clean.mid(i, length).toUtf8();
        if (chunk.size() + bytes.size() > MaxBytesPerWord) {
            words.append("=?UTF-8?B?" + chunk.toBase64() + "?=");
            chunk.clear();
        }
        chunk += bytes;
        i += length;
    }
    if (!chunk.isEmpty())
        words.append("=?UTF-8?B?" + chunk.toBase64() + "?=");
    // Whitespace between encoded words is not part of the text (RFC 2047 §6.2).
    return words.join("\r\n ");
}

QByteArray formatMailDate(const QDateTime &time)
{
    static const char *const days[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
    static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    const QDateTime utc = time.toUTC();
    const QDate date = utc.date();
    const QTime clock = utc.time();
    return QStringLiteral("%1, %2 %3 %4 %5:%6:%7 +0000")
        .arg(QLatin1StringView(days[date.dayOfWeek() - 1]))
        .arg(date.day(), 2, 10, QChar(u'0'))
        .arg(QLatin1StringView(months[date.month() - 1]))
        .arg(date.year())
        .arg(clock.hour(), 2, 10, QChar(u'0'))
        .arg(clock.minute(), 2, 10, QChar(u'0'))
        .arg(clock.second(), 2, 10, QChar(u'0'))
        .toLatin1();
}

QByteArray buildMailMessage(const MailMessage &message)
{
    QByteArray mail;
    const auto header = [&mail](const QByteArray &name, const QByteArray &value) {
        mail += name + ": " + value + "\r\n";
    };
    header("Date", formatMailDate(message.date));
    header("From", message.from.toLatin1());
    header("To", message.to.join(QStringLiteral(", ")).toLatin1());
    header("Subject", encodeHeaderText(message.subject));
    header("Message-ID", '<' + QUuid::createUuid().toByteArray(QUuid::WithoutBraces) + '@' +
                             mailDomain(message.from) + '>');
    header("MIME-Version", "1.0");
    header("Content-Type", "text/plain; charset=UTF-8");
    header("Content-Transfer-Encoding", "base64");
    // RFC 3834: automatic mail, so vacation responders stay quiet.
    header("Auto-Submitted", "auto-generated");
    for (const auto &[name, value] : message.extraHeaders)
        header(name, value);
    mail += "\r\n";
    QString body = message.body;
    body.replace(QStringLiteral("\r\n"), QStringLiteral("\n"));
    body.replace(u'\n', QStringLiteral("\r\n"));
    const QByteArray encoded = body.toUtf8().toBase64();
    for (qsizetype i = 0; i < encoded.size(); i += Base64LineLength)
        mail += encoded.mid(i, Base64LineLength) + "\r\n";
    return mail;
}

} // namespace prophasis
