#include "daemon-core/api/queryparameters.h"

namespace prophasis {

bool QueryParameters::has(const QString &name) const
{
    return !text(name).isEmpty();
}

QString QueryParameters::text(const QString &name) const
{
    return m_request.query.queryItemValue(name, QUrl::FullyDecoded).trimmed();
}

QDateTime QueryParameters::time(const QString &name, const QDateTime &fallback) const
{
    const QString value = text(name);
    if (value.isEmpty())
        return fallback;
    bool isNumber = false;
    const qint64 ms = value.toLongLong(&isNumber);
    // Years 1970 … 9999, as the database stores times.
    if (isNumber && ms >= 0 && ms < 253'402'300'800'000LL)
        return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC);
    const QDateTime time = QDateTime::fromString(value, Qt::ISODateWithMs);
    if (!isNumber && time.isValid() && time.toMSecsSinceEpoch() >= 0)
        return time.toUTC();
    m_errors.add(name, QStringLiteral("must be a time in ISO 8601 (2026-01-31T12:00:00Z) or milliseconds "
                                      "since 1970"));
    return fallback;
}

int QueryParameters::integer(const QString &name, int fallback, int minimum, int maximum) const
{
    const QString value = text(name);
    if (value.isEmpty())
        return fallback;
    bool ok = false;
    const qint64 number = value.toLongLong(&ok);
    if (!ok || number < minimum || number > maximum) {
        m_errors.add(name, QStringLiteral("must be a whole number from %1 to %2").arg(minimum).arg(maximum));
        return fallback;
    }
    return int(number);
}

bool QueryParameters::flag(const QString &name, bool fallback) const
{
    const QString value = text(name).toLower();
    if (value.isEmpty())
        return fallback;
    if (value == QLatin1String("1") || value == QLatin1String("true") || value == QLatin1String("yes"))
        return true;
    if (value == QLatin1String("0") || value == QLatin1String("false") || value == QLatin1String("no"))
        return false;
    m_errors.add(name, QStringLiteral("must be 1 or 0 (true or false)"));
    return fallback;
}

QUuid QueryParameters::uuid(const QString &name) const
{
    const QString value = text(name);
    if (value.isEmpty())
        return {};
    const QUuid id = QUuid::fromString(value);
    if (id.isNull())
        m_errors.add(name, QStringLiteral("must be an id (a UUID)"));
    return id;
}

} // namespace prophasis
