#pragma once

#include <QByteArray>
#include <QDateTime>
#include <QString>
#include <QStringList>

namespace prophasis {

// One plain-text mail as RFC 5322 / MIME wants it: UTF-8 everywhere, headers in ASCII.
struct MailMessage
{
    QString from; // bare addresses (validated by the email module)
    QStringList to;
    QString subject; // any Unicode: encoded per RFC 2047 when not plain ASCII
    QString body;    // any Unicode, lines separated by \n
    QDateTime date;
    QList<QPair<QByteArray, QByteArray>> extraHeaders; // ASCII names and values
};

// The whole message, CRLF line ends: Date, From, To, Subject, Message-ID, MIME-Version,
// Content-Type (text/plain; charset=UTF-8), Content-Transfer-Encoding (base64: safe for any
// body over any server, no 8BITMIME needed, no line ever starts with a dot), Auto-Submitted.
QByteArray buildMailMessage(const MailMessage &message);

// A header value as RFC 2047 wants it: unchanged when printable ASCII, otherwise a sequence of
// "=?UTF-8?B?…?=" encoded words of at most 75 characters, never splitting a character, folded
// onto continuation lines. Control characters become spaces first (no header injection).
QByteArray encodeHeaderText(const QString &text);
// "Fri, 01 Mar 2024 12:00:00 +0000" (RFC 5322 §3.3, English names whatever the locale).
QByteArray formatMailDate(const QDateTime &time);

} // namespace prophasis
