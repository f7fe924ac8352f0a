#pragma once

#include <QDateTime>
#include <QJsonArray>
#include <QJsonObject>
#include <QUuid>

#include <optional>

#include "shared/domain/entity.h"
#include "shared/domain/enumnames.h"
#include "shared/domain/fielderrors.h"

namespace prophasis {

// Reads typed fields from a JSON object and records a FieldError for each field that is
// missing or of the wrong type, so one pass over a request body reports every problem at once.
// Keys absent from the object give the default (or an error when required).
class JsonReader
{
public:
    JsonReader(const QJsonObject &object, FieldErrors &errors, QString prefix = {});

    bool has(const QString &key) const { return m_object.contains(key); }
    QString field(const QString &key) const { return m_prefix + key; }
    FieldErrors &errors() { return m_errors; }

    QString string(const QString &key, const QString &fallback = {}, bool required = false);
    bool boolean(const QString &key, bool fallback);
    qint64 integer(const QString &key, qint64 fallback, qint64 min, qint64 max, bool required = false);
    std::optional<double> number(const QString &key);
    QUuid uuid(const QString &key, bool required = false);
    // Collections: `fallback` when the key is absent; a null replaces it with an empty one.
    QList<QUuid> uuidList(const QString &key, const QList<QUuid> &fallback = {});
    QStringList stringList(const QString &key, const QStringList &fallback = {});
    QDateTime dateTime(const QString &key, bool required = false);
    QJsonObject object(const QString &key);
    QJsonArray array(const QString &key);
    Variables variables(const QString &key, const Variables &fallback = {});

    // id and version, which every entity carries.
    void entity(Entity &entity);

    template <typename E>
    E enumValue(const QString &key, E fallback, bool required = false)
    {
        const QJsonValue value = m_object.value(key);
        if (value.isUndefined() || value.isNull()) {
            if (required)
                missing(key);
            return fallback;
        }
        if (const std::optional<E> parsed = enumFromName<E>(value.toString()); value.isString() && parsed)
            return *parsed;
        m_errors.add(field(key), QStringLiteral("must be one of: %1").arg(enumNameList<E>()));
        return fallback;
    }

    template <typename E>
    QList<E> enumList(const QString &key, const QList<E> &fallback = {})
    {
        if (!has(key))
            return fallback;
        QList<E> values;
        const QJsonArray items = array(key);
        for (qsizetype i = 0; i < items.size(); ++i) {
            const std::optional<E> parsed = enumFromName<E>(items[i].toString());
            if (parsed && !values.contains(*parsed))
                values.append(*parsed);
            else if (!parsed)
                m_errors.add(field(key) + QStringLiteral(".%1").arg(i),
                             QStringLiteral("must be one of: %1").arg(enumNameList<E>()));
        }
        return values;
    }

private:
    void missing(const QString &key);
    void wrongType(const QString &key, const char *expected);

    const QJsonObject m_object; // a copy (implicitly shared): a temporary argument cannot dangle
    FieldErrors &m_errors;
    QString m_prefix;
};

// One format for times on the wire: ISO 8601 in UTC with milliseconds.
QString toJsonTime(const QDateTime &time);
QJsonValue toJsonTimeOrNull(const QDateTime &time);
// Reads what toJsonTime() wrote (in UTC); invalid for null, a non-string or an unreadable time.
QDateTime fromJsonTime(const QJsonValue &value);
QString toJsonId(const QUuid &id);
QJsonArray toJsonIds(const QList<QUuid> &ids);
QJsonObject toJson(const Variables &variables);

template <typename E>
QJsonArray toJsonEnums(const QList<E> &values)
{
    QJsonArray array;
    for (E value : values)
        array.append(enumName(value));
    return array;
}

} // namespace prophasis
