#include "daemon-core/storage/sqlvalues.h"

#include <QJsonDocument>

namespace prophasis {

QVariant dbId(const QUuid &id)
{
    return id.isNull() ? QVariant(QMetaType::fromType<QString>()) : QVariant(id.toString(QUuid::WithoutBraces));
}

QUuid idFromDb(const QVariant &value)
{
    return value.isNull() ? QUuid() : QUuid::fromString(value.toString());
}

QVariant dbTime(const QDateTime &time)
{
    return time.isValid() ? QVariant(time.toMSecsSinceEpoch()) : QVariant(QMetaType::fromType<qint64>());
}

QDateTime timeFromDb(const QVariant &value)
{
    return value.isNull() ? QDateTime() : QDateTime::fromMSecsSinceEpoch(value.toLongLong(), Qt::UTC);
}

QVariant dbDouble(const std::optional<double> &value)
{
    return value ? QVariant(*value) : QVariant(QMetaType::fromType<double>());
}

std::optional<double> doubleFromDb(const QVariant &value)
{
    if (value.isNull())
        return std::nullopt;
    return value.toDouble();
}

QVariant dbOptionalText(const QString &text, bool present)
{
    return present ? QVariant(text) : QVariant(QMetaType::fromType<QString>());
}

QString dbJson(const QJsonObject &object)
{
    return QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Compact));
}

QString dbJson(const QJsonArray &array)
{
    return QString::fromUtf8(QJsonDocument(array).toJson(QJsonDocument::Compact));
}

QJsonObject jsonObjectFromDb(const QVariant &value)
{
    return QJsonDocument::fromJson(value.toString().toUtf8()).object();
}

QJsonArray jsonArrayFromDb(const QVariant &value)
{
    return QJsonDocument::fromJson(value.toString().toUtf8()).array();
}

QString dbVariables(const Variables &variables)
{
    QJsonObject object;
    for (auto it = variables.cbegin(); it != variables.cend(); ++it)
        object.insert(it.key(), it.value());
    return dbJson(object);
}

Variables variablesFromDb(const QVariant &value)
{
    Variables variables;
    const QJsonObject object = jsonObjectFromDb(value);
    for (auto it = object.constBegin(); it != object.constEnd(); ++it)
        variables.insert(it.key(), it.value().toString());
    return variables;
}

QString placeholders(qsizetype count)
{
    QString text;
    text.reserve(count * 3);
    for (qsizetype i = 0; i < count; ++i)
        text += i == 0 ? QStringLiteral("?") : QStringLiteral(", ?");
    return text;
}

} // namespace prophasis
