#include "daemon-core/statuspage/statushtml.h"

#include <cmath>

namespace prophasis {

QString htmlEscape(QStringView text)
{
    QString escaped;
    escaped.reserve(text.size() + text.size() / 8);
    for (const QChar c : text) {
        switch (c.unicode()) {
        case u'&':
            escaped += QLatin1StringView("&amp;");
            break;
        case u'<':
            escaped += QLatin1StringView("&lt;");
            break;
        case u'>':
            escaped += QLatin1StringView("&gt;");
            break;
        case u'"':
            escaped += QLatin1StringView("&quot;");
            break;
        case u'\'':
            escaped += QLatin1StringView("&#39;");
            break;
        default:
            escaped += c;
        }
    }
    return escaped;
}

QString stateText(State state)
{
    switch (state) {
    case State::Critical:
        return QStringLiteral("Critical");
    case State::Major:
        return QStringLiteral("Major");
    case State::Minor:
        return QStringLiteral("Minor");
    case State::Degraded:
        return QStringLiteral("Degraded");
    case State::Unknown:
        return QStringLiteral("Unknown");
    case State::Ok:
        return QStringLiteral("OK");
    case State::NoData:
        return QStringLiteral("No data");
    }
    return QStringLiteral("Unknown");
}

QString stateClass(State state)
{
    return QStringLiteral("s-") + enumName(state);
}

QString stateBadge(State state)
{
    return QStringLiteral("<span class=\"badge %1\">%2</span>").arg(stateClass(state), stateText(state));
}

QString ageText(const QDateTime &time, const QDateTime &now)
{
    if (!time.isValid())
        return QStringLiteral("never");
    const qint64 seconds = time.secsTo(now);
    if (seconds < 60)
        return QStringLiteral("just now");
    if (seconds < 3600)
        return QStringLiteral("%1 min ago").arg(seconds / 60);
    if (seconds < 2 * 86400)
        return QStringLiteral("%1 h ago").arg(seconds / 3600);
    return QStringLiteral("%1 d ago").arg(seconds / 86400);
}

QString valueText(double value)
{
    if (!std::isfinite(value))
        return QStringLiteral("–");
    // Whole numbers up to a quadrillion in full (byte counts), everything else to six digits.
    if (std::abs(value) >= 1e6 && std::abs(value) < 1e15)
        return QString::number(value, 'f', 0);
    return QString::number(value, 'g', 6);
}

} // namespace prophasis
