#pragma once

#include <QDateTime>
#include <QJsonArray>
#include <QJsonObject>
#include <QUuid>
#include <QVariant>

#include <optional>

#include "shared/domain/entity.h"

namespace prophasis {

// Conversions between domain values and database columns, the same on SQLite and PostgreSQL.
QVariant dbId(const QUuid &id);                  // text without braces; NULL for a null id
QUuid idFromDb(const QVariant &value);
QVariant dbTime(const QDateTime &time);          // ms since the epoch; NULL for an invalid time
QDateTime timeFromDb(const QVariant &value);
QVariant dbDouble(const std::optional<double> &value);
std::optional<double> doubleFromDb(const QVariant &value);
QVariant dbOptionalText(const QString &text, bool present); // NULL when not present
QString dbJson(const QJsonObject &object);
QString dbJson(const QJsonArray &array);
QJsonObject jsonObjectFromDb(const QVariant &value);
QJsonArray jsonArrayFromDb(const QVariant &value);
QString dbVariables(const Variables &variables);
Variables variablesFromDb(const QVariant &value);

// "?, ?, ?" for an IN list or a VALUES row.
QString placeholders(qsizetype count);

} // namespace prophasis
