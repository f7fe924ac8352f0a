#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QPair>
#include <QRegularExpression>
#include <QString>

#include <optional>

#include "daemon-core/serverchecks/servercheck.h"

// Small helpers the server-side checks share: placeholders, status lists, patterns, escapes and
// how numbers read in messages.
namespace prophasis::serverchecks {

// Arguments as resolved against the manifest (types already checked); absent → the fallback.
QString stringArgument(const QJsonObject &arguments, const QString &name, const QString &fallback = {});
qint64 integerArgument(const QJsonObject &arguments, const QString &name, qint64 fallback);
bool booleanArgument(const QJsonObject &arguments, const QString &name, bool fallback);

enum class PlaceholderUse
{
    Plain, // a host name or address as it is
    Url,   // inside a URL: an IPv6 address in brackets
};

// Replaces {address} with the host's address and {host} with its name.
QString fillPlaceholders(const QString &text, const ServerCheckTarget &target, PlaceholderUse use);

// Which HTTP statuses count as expected: codes and ranges, "200-399" or "200,204,301-302".
class StatusSet
{
public:
    static std::optional<StatusSet> parse(const QString &text, QString *error);
    bool contains(int status) const;
    QString text() const { return m_text; }

private:
    QList<QPair<int, int>> m_ranges;
    QString m_text;
};

// A regular expression from an argument; nullopt with *error ("body_pattern: … at offset 3").
std::optional<QRegularExpression> compilePattern(const QString &argument, const QString &pattern,
                                                 QString *error);

// \r, \n, \t, \\ and \xHH in a text to send (a TCP banner request such as "HEAD / HTTP/1.0\r\n\r\n").
QByteArray unescape(const QString &text);

// "0.42 ms", "12.3 ms", "120 ms".
QString formatMs(double ms);
// Up to `max` characters of received bytes, control characters shown as \n, \r, \xHH.
QString printable(const QByteArray &bytes, int max = 80);

} // namespace prophasis::serverchecks
