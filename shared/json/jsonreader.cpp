#include "shared/json/jsonreader.h"

#include <cmath>
#include <limits>

namespace prophasis {

JsonReader::JsonReader(const QJsonObject &object, FieldErrors &errors, QString prefix)
    : m_object(object)
    , m_errors(errors)
    , m_prefix(std::move(prefix))
{
}

void JsonReader::missing(const QString &key)
{
    m_errors.add(field(key), QStringLiteral("is required"));
}

void JsonReader::wrongType(const QString &key, const char *expected)
{
    m_errors.add(field(key), QStringLiteral("must be %1").arg(QLatin1String(expected)));
}

QString JsonReader::string(const QString &key, const QString &fallback, bool required)
{
    const QJsonValue value = m_object.value(key);
    if (value.isUndefined() || value.isNull()) {
        if (required)
            missing(key);
        return fallback;
    }
    if (!value.isString()) {
        wrongType(key, "a string");
        return fallback;
    }
    return value.toString();
}

bool JsonReader::boolean(const QString &key, bool fallback)
{
    const QJsonValue value = m_object.value(key);
    if (value.isUndefined() || value.isNull())
        return fallback;
    if (!value.isBool()) {
        wrongType(key, "true or false");
        return fallback;
    }
    return value.toBool();
}

qint64 JsonReader::integer(const QString &key, qint64 fallback, qint64 min, qint64 max, bool required)
{
    const QJsonValue value = m_object.value(key);
    if (value.isUndefined() || value.isNull()) {
        if (required)
            missing(key);
        return fallback;
    }
    const double number = value.toDouble();
    // Doubles hold integers exactly up to 2^53; beyond that a value is not trustworthy.
    constexpr double exactLimit = 9007199254740992.0;
    if (!value.isDouble() || std::trunc(number) != number || std::fabs(number) > exactLimit) {
        wrongType(key, "a whole number");
        return fallback;
    }
    const auto whole = static_cast<qint64>(number);
    if (whole < min || whole > max) {
        m_errors.add(field(key), QStringLiteral("must be between %1 and %2").arg(min).arg(max));
        return fallback;
    }
    return whole;
}

std::optional<double> JsonReader::number(const QString &key)
{
    const QJsonValue value = m_object.value(key);
    if (value.isUndefined() || value.isNull())
        return std::nullopt;
    if (!value.isDouble() || !std::isfinite(value.toDouble())) {
        wrongType(key, "a number");
        return std::nullopt;
    }
    return value.toDouble();
}

QUuid JsonReader::uuid(const QString &key, bool required)
{
    const QString text = string(key, {}, required);
    if (text.isEmpty())
        return {};
    const QUuid id = QUuid::fromString(text);
    if (id.isNull())
        wrongType(key, "a UUID");
    return id;
}

QList<QUuid> JsonReader::uuidList(const QString &key, const QList<QUuid> &fallback)
{
    if (!has(key))
        return fallback;
    QList<QUuid> ids;
    const QJsonArray items = array(key);
    for (qsizetype i = 0; i < items.size(); ++i) {
        const QUuid id = QUuid::fromString(items[i].toString());
        if (id.isNull())
            m_errors.add(field(key) + QStringLiteral(".%1").arg(i), QStringLiteral("must be a UUID"));
        else
            ids.append(id);
    }
    return ids;
}

QStringList JsonReader::stringList(const QString &key, const QStringList &fallback)
{
    if (!has(key))
        return fallback;
    QStringList strings;
    const QJsonArray items = array(key);
    for (qsizetype i = 0; i < items.size(); ++i) {
        if (!items[i].isString())
            m_errors.add(field(key) + QStringLiteral(".%1").arg(i), QStringLiteral("must be a string"));
        else
            strings.append(items[i].toString());
    }
    return strings;
}

QDateTime JsonReader::dateTime(const QString &key, bool required)
{
    const QString text = string(key, {}, required);
    if (text.isEmpty())
        return {};
    QDateTime time = QDateTime::fromString(text, Qt::ISODateWithMs);
    if (!time.isValid() || time.timeSpec() == Qt::LocalTime) {
        m_errors.add(field(key), QStringLiteral("must be an ISO 8601 time with a zone, e.g. 2026-01-31T12:00:00Z"));
        return {};
    }
    return time.toUTC();
}

QJsonObject JsonReader::object(const QString &key)
{
    const QJsonValue value = m_object.value(key);
    if (value.isUndefined() || value.isNull())
        return {};
    if (!value.isObject())
        wrongType(key, "an object");
    return value.toObject();
}

QJsonArray JsonReader::array(const QString &key)
{
    const QJsonValue value = m_object.value(key);
    if (value.isUndefined() || value.isNull())
        return {};
    if (!value.isArray())
        wrongType(key, "a list");
    return value.toArray();
}

Variables JsonReader::variables(const QString &key, const Variables &fallback)
{
    if (!has(key))
        return fallback;
    Variables variables;
    const QJsonObject items = object(key);
    for (auto it = items.constBegin(); it != items.constEnd(); ++it) {
        // Numbers are accepted for convenience (disk_warn = 85) and kept as text.
        if (it.value().isString())
            variables.insert(it.key(), it.value().toString());
        else if (it.value().isDouble())
            variables.insert(it.key(), QString::number(it.value().toDouble(), 'g', 17));
        else if (it.value().isBool())
            variables.insert(it.key(), it.value().toBool() ? QStringLiteral("true") : QStringLiteral("false"));
        else
            m_errors.add(field(key) + u'.' + it.key(), QStringLiteral("must be text, a number or true/false"));
    }
    return variables;
}

void JsonReader::entity(Entity &entity)
{
    if (has(QStringLiteral("id")))
        entity.id = uuid(QStringLiteral("id"));
    entity.version = integer(QStringLiteral("version"), entity.version, 0, std::numeric_limits<qint64>::max() / 2);
}

QString toJsonTime(const QDateTime &time)
{
    return time.toUTC().toString(Qt::ISODateWithMs);
}

QJsonValue toJsonTimeOrNull(const QDateTime &time)
{
    return time.isValid() ? QJsonValue(toJsonTime(time)) : QJsonValue(QJsonValue::Null);
}

QDateTime fromJsonTime(const QJsonValue &value)
{
    if (!value.isString())
        return {};
    const QDateTime time = QDateTime::fromString(value.toString(), Qt::ISODateWithMs);
    return time.isValid() ? time.toUTC() : QDateTime();
}

QString toJsonId(const QUuid &id)
{
    return id.isNull() ? QString() : id.toString(QUuid::WithoutBraces);
}

QJsonArray toJsonIds(const QList<QUuid> &ids)
{
    QJsonArray array;
    for (const QUuid &id : ids)
        array.append(toJsonId(id));
    return array;
}

QJsonObject toJson(const Variables &variables)
{
    QJsonObject object;
    for (auto it = variables.cbegin(); it != variables.cend(); ++it)
        object.insert(it.key(), it.value());
    return object;
}

} // namespace prophasis
