#include "daemon-core/serverchecks/checkarguments.h"

#include <QHostAddress>

#include <cmath>

namespace prophasis::serverchecks {

QString stringArgument(const QJsonObject &arguments, const QString &name, const QString &fallback)
{
    const QJsonValue value = arguments.value(name);
    return value.isString() ? value.toString() : fallback;
}

qint64 integerArgument(const QJsonObject &arguments, const QString &name, qint64 fallback)
{
    const QJsonValue value = arguments.value(name);
    return value.isDouble() ? qint64(value.toDouble()) : fallback;
}

bool booleanArgument(const QJsonObject &arguments, const QString &name, bool fallback)
{
    const QJsonValue value = arguments.value(name);
    return value.isBool() ? value.toBool() : fallback;
}

QString fillPlaceholders(const QString &text, const ServerCheckTarget &target, PlaceholderUse use)
{
    QString address = target.address;
    if (use == PlaceholderUse::Url && QHostAddress(address).protocol() == QAbstractSocket::IPv6Protocol)
        address = u'[' + address + u']';
    QString filled = text;
    filled.replace(QStringLiteral("{address}"), address);
    filled.replace(QStringLiteral("{host}"), target.hostName);
    return filled;
}

std::optional<StatusSet> StatusSet::parse(const QString &text, QString *error)
{
    StatusSet set;
    set.m_text = text.simplified().remove(u' ');
    const auto bad = [&](const QString &part) {
        *error = QStringLiteral("expected_status: '%1' is not a status (100–599) or a range such as 200-399")
                     .arg(part);
        return std::nullopt;
    };
    for (const QString &part : set.m_text.split(u',', Qt::SkipEmptyParts)) {
        const QStringList bounds = part.split(u'-');
        bool okLow = false;
        bool okHigh = false;
        const int low = bounds.value(0).toInt(&okLow);
        const int high = bounds.size() == 2 ? bounds[1].toInt(&okHigh) : low;
        if (bounds.size() == 1)
            okHigh = okLow;
        if (bounds.size() > 2 || !okLow || !okHigh || low < 100 || high > 599 || low > high)
            return bad(part);
        set.m_ranges.append({low, high});
    }
    if (set.m_ranges.isEmpty()) {
        *error = QStringLiteral("expected_status is empty: give codes or ranges such as 200-399");
        return std::nullopt;
    }
    return set;
}

bool StatusSet::contains(int status) const
{
    for (const auto &[low, high] : m_ranges) {
        if (status >= low && status <= high)
            return true;
    }
    return false;
}

std::optional<QRegularExpression> compilePattern(const QString &argument, const QString &pattern,
                                                 QString *error)
{
    QRegularExpression expression(pattern);
    if (!expression.isValid()) {
        *error = QStringLiteral("%1: /%2/ is not a regular expression: %3 at offset %4")
                     .arg(argument, pattern, expression.errorString())
                     .arg(expression.patternErrorOffset());
        return std::nullopt;
    }
    return expression;
}

QByteArray unescape(const QString &text)
{
    const QByteArray in = text.toUtf8();
    QByteArray out;
    out.reserve(in.size());
    for (qsizetype i = 0; i < in.size(); ++i) {
        const char c = in[i];
        if (c != '\\' || i + 1 >= in.size()) {
            out.append(c);
            continue;
        }
        const char next = in[++i];
        switch (next) {
        case 'r':
            out.append('\r');
            break;
        case 'n':
            out.append('\n');
            break;
        case 't':
            out.append('\t');
            break;
        case 'x': {
            bool ok = false;
            const int value = in.mid(i + 1, 2).toInt(&ok, 16);
            if (ok && i + 2 < in.size()) {
                out.append(char(value));
                i += 2;
            } else {
                out.append("\\x");
            }
            break;
        }
        default:
            out.append(next); // "\\" → "\", and an unknown escape keeps its character
        }
    }
    return out;
}

QString formatMs(double ms)
{
    if (ms < 10)
        return QStringLiteral("%1 ms").arg(ms, 0, 'f', 2);
    if (ms < 100)
        return QStringLiteral("%1 ms").arg(ms, 0, 'f', 1);
    return QStringLiteral("%1 ms").arg(std::llround(ms));
}

QString printable(const QByteArray &bytes, int max)
{
    QString out;
    for (const char c : bytes.left(max)) {
        const auto byte = static_cast<unsigned char>(c);
        if (c == '\n')
            out += QStringLiteral("\\n");
        else if (c == '\r')
            out += QStringLiteral("\\r");
        else if (byte < 0x20 || byte == 0x7f)
            out += QStringLiteral("\\x%1").arg(byte, 2, 16, QLatin1Char('0'));
        else
            out += QLatin1Char(c); // bytes above 0x7f shown as Latin-1: a message, not a decoder
    }
    if (bytes.size() > max)
        out += QStringLiteral("…");
    return out;
}

} // namespace prophasis::serverchecks
