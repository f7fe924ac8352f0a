#pragma once

#include <QByteArray>
#include <QDateTime>
#include <QJsonObject>

#include "shared/domain/configuration.h"

namespace prophasis {

class Database;
class SecretBox;

// The configuration export: one JSON document, matched by UUID on import. Not a backup:
//   {"format": "prophasis-config", "version": 1, "exported": "<ISO 8601 UTC>",
//    "plugins": [...], "hosts": [...], "host_groups": [...], "checks": [...],
//    "schedules": [...], "services": [...], "alerts": [...]}
// Each object is the entity's own JSON form (shared/json) without its "version" (a counter of
// this core's edits, meaningless on another core). Alerts list their secret names under
// "secrets_set", never the values; plugins carry their package's sha256 but not its bytes
// (packages travel separately and must already be on the importing core). Users, tokens and
// password hashes are not configuration and are never in it.
inline constexpr int ConfigFormatVersion = 1;
QString configFormatName(); // "prophasis-config"

// The document keys of the object lists, in dependency order (what an import writes first).
QStringList configKinds();

// Objects sorted by UUID, so two exports of the same configuration at the same `exported` time
// are byte-identical (QJsonObject keys are sorted too).
QJsonObject exportConfiguration(const Configuration &configuration, const QDateTime &exported);
// Reads the configuration in one transaction and exports it.
QJsonObject exportConfiguration(Database &db, const SecretBox &secrets,
                                const QDateTime &exported = QDateTime::currentDateTimeUtc());
// The document as indented UTF-8, as the API and the command line hand it out.
QByteArray configDocumentBytes(const QJsonObject &document);

// One object as it appears in the document: its JSON form without "version".
template <typename T>
QJsonObject exportedForm(const T &entity);

} // namespace prophasis
