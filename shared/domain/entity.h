#pragma once

#include <QMap>
#include <QString>
#include <QUuid>

namespace prophasis {

// Key → value settings that classifiers read (e.g. disk_warn = 85). Hosts and groups carry
// them; a host's own win over its groups'.
using Variables = QMap<QString, QString>;

// What every configuration object has: a stable UUID (API, import/export, several cores) and a
// version that each saved change raises, so a stale save is refused instead of overwriting.
struct Entity
{
    QUuid id;
    qint64 version = 0;
};

} // namespace prophasis
