#pragma once

#include <QByteArray>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMap>
#include <QString>
#include <QStringList>

// Builds plugin package archives for tests the way users and attackers would: with the real
// `tar`, and with Python's tarfile for entries tar will not make from a normal tree (devices,
// hard links to outside, names written through symlinks, duplicates).
namespace prophasis::testing {

// A manifest for a package: exec runtime, entry bin/run, classifier classifier.lua.
QJsonObject testManifest(const QString &id, const QString &version);
QByteArray manifestBytes(const QString &id, const QString &version);

// Runs a program and returns its stdout; *ok says whether it exited 0 (its stderr is logged if not).
QByteArray run(const QString &program, const QStringList &arguments, bool *ok,
               const QString &workingDirectory = {}, const QByteArray &input = {});

// Writes a package tree under `folder`/pkg: manifest.json, bin/run (executable), classifier.lua.
bool writePackageTree(const QString &folder, const QString &id, const QString &version,
                      const QByteArray &runScript = "#!/bin/sh\necho '{\"value\": 1}'\n");

// `tar -czf` of `members` taken from `folder`, with extra tar options.
QByteArray tarGz(const QString &folder, const QStringList &members, const QStringList &options = {});

// A package archive from a manifest and files (executable, so scripts run), all in one top-level
// folder `topFolder`, made with the real tar.
QByteArray packageArchive(const QString &topFolder, const QJsonObject &manifest, const QMap<QString, QByteArray> &files);

// An archive made by Python's tarfile from a list of entries, each an object with "name",
// "type" (file, dir, symlink, hardlink, chr, blk, fifo), "data", "mode", "target".
QByteArray pythonTarGz(const QJsonArray &entries);
QJsonObject fileEntry(const QString &name, const QByteArray &data, int mode = 0644);
QJsonObject entryOfType(const QString &name, const QString &type, const QString &target = {});
// manifest.json, bin/run and classifier.lua under pkg/, as Python entries.
QJsonArray goodEntries(const QString &id = QStringLiteral("org.example.test"),
                       const QString &version = QStringLiteral("1.0"));

bool haveProgram(const QString &name);

} // namespace prophasis::testing
