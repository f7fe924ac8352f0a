#include "tests/package/packagefixtures.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>

namespace prophasis::testing {

namespace {

// Reads a JSON list of entries on stdin and writes a .tar.gz to argv[1].
const char *PythonTarScript = R"PY(
import gzip, io, json, sys, tarfile
kinds = {"file": tarfile.REGTYPE, "dir": tarfile.DIRTYPE, "symlink": tarfile.SYMTYPE,
         "hardlink": tarfile.LNKTYPE, "chr": tarfile.CHRTYPE, "blk": tarfile.BLKTYPE,
         "fifo": tarfile.FIFOTYPE}
# mtime=0: the same entries always give the same bytes, so tests can compare hashes.
with gzip.GzipFile(sys.argv[1], "wb", mtime=0) as compressed, \
        tarfile.open(fileobj=compressed, mode="w", format=tarfile.PAX_FORMAT) as archive:
    for entry in json.load(sys.stdin):
        info = tarfile.TarInfo(entry["name"])
        info.type = kinds[entry.get("type", "file")]
        info.mode = entry.get("mode", 0o755 if info.type == tarfile.DIRTYPE else 0o644)
        info.linkname = entry.get("target", "")
        data = entry.get("data", "").encode("latin-1")
        if info.type == tarfile.REGTYPE:
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
        else:
            archive.addfile(info)
)PY";

} // namespace

QJsonObject testManifest(const QString &id, const QString &version)
{
    return {
        {QStringLiteral("id"), id},
        {QStringLiteral("name"), QStringLiteral("Test plugin")},
        {QStringLiteral("description"), QStringLiteral("A plugin made by a test")},
        {QStringLiteral("version"), version},
        {QStringLiteral("runtime"), QStringLiteral("exec")},
        {QStringLiteral("entry"), QStringLiteral("bin/run")},
        {QStringLiteral("default_n_historical"), 1},
        {QStringLiteral("default_classifier"), QStringLiteral("classifier.lua")},
    };
}

QByteArray manifestBytes(const QString &id, const QString &version)
{
    return QJsonDocument(testManifest(id, version)).toJson();
}

QByteArray run(const QString &program, const QStringList &arguments, bool *ok,
               const QString &workingDirectory, const QByteArray &input)
{
    QProcess process;
    if (!workingDirectory.isEmpty())
        process.setWorkingDirectory(workingDirectory);
    process.start(program, arguments);
    if (!process.waitForStarted()) {
        *ok = false;
        qWarning().noquote() << program << "did not start:" << process.errorString();
        return {};
    }
    if (!input.isEmpty())
        process.write(input);
    process.closeWriteChannel();
    process.waitForFinished(120000);
    *ok = process.exitStatus() == QProcess::NormalExit && process.exitCode() == 0;
    if (!*ok)
        qWarning().noquote() << program << arguments.join(u' ')
                             << "failed:" << process.readAllStandardError();
    return process.readAllStandardOutput();
}

bool writePackageTree(const QString &folder, const QString &id, const QString &version,
                      const QByteArray &runScript)
{
    QDir root(folder);
    if (!root.mkpath(QStringLiteral("pkg/bin")))
        return false;
    const auto write = [&root](const QString &name, const QByteArray &data) {
        QFile file(root.filePath(name));
        return file.open(QIODevice::WriteOnly | QIODevice::Truncate) && file.write(data) == data.size();
    };
    return write(QStringLiteral("pkg/manifest.json"), manifestBytes(id, version)) &&
           write(QStringLiteral("pkg/bin/run"), runScript) &&
           write(QStringLiteral("pkg/classifier.lua"), "return 'ok'\n") &&
           QFile::setPermissions(root.filePath(QStringLiteral("pkg/bin/run")),
                                 QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner |
                                     QFileDevice::ReadGroup | QFileDevice::ExeGroup | QFileDevice::ReadOther |
                                     QFileDevice::ExeOther);
}

QByteArray tarGz(const QString &folder, const QStringList &members, const QStringList &options)
{
    QTemporaryDir out;
    const QString archive = out.filePath(QStringLiteral("package.tar.gz"));
    bool ok = false;
    run(QStringLiteral("tar"),
        QStringList{QStringLiteral("-czf"), archive} + options + QStringList{QStringLiteral("-C"), folder} +
            members,
        &ok);
    QFile file(archive);
    if (!ok || !file.open(QIODevice::ReadOnly))
        return {};
    return file.readAll();
}

QByteArray packageArchive(const QString &topFolder, const QJsonObject &manifest, const QMap<QString, QByteArray> &files)
{
    QTemporaryDir build;
    QMap<QString, QByteArray> all = files;
    all.insert(QStringLiteral("manifest.json"), QJsonDocument(manifest).toJson());
    for (auto it = all.cbegin(); it != all.cend(); ++it) {
        const QString path = build.filePath(topFolder + u'/' + it.key());
        QDir().mkpath(QFileInfo(path).absolutePath());
        QFile file(path);
        if (!file.open(QIODevice::WriteOnly) || file.write(it.value()) != it.value().size())
            return {};
        file.close();
        file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner | QFileDevice::ReadOther
                            | QFileDevice::ExeOther);
    }
    return tarGz(build.path(), {topFolder});
}

QByteArray pythonTarGz(const QJsonArray &entries)
{
    QTemporaryDir out;
    const QString archive = out.filePath(QStringLiteral("package.tar.gz"));
    bool ok = false;
    run(QStringLiteral("python3"), {QStringLiteral("-c"), QString::fromUtf8(PythonTarScript), archive}, &ok,
        {}, QJsonDocument(entries).toJson());
    QFile file(archive);
    if (!ok || !file.open(QIODevice::ReadOnly))
        return {};
    return file.readAll();
}

QJsonObject fileEntry(const QString &name, const QByteArray &data, int mode)
{
    return {{QStringLiteral("name"), name},
            {QStringLiteral("type"), QStringLiteral("file")},
            {QStringLiteral("data"), QString::fromLatin1(data)},
            {QStringLiteral("mode"), mode}};
}

QJsonObject entryOfType(const QString &name, const QString &type, const QString &target)
{
    return {
        {QStringLiteral("name"), name}, {QStringLiteral("type"), type}, {QStringLiteral("target"), target}};
}

QJsonArray goodEntries(const QString &id, const QString &version)
{
    return {entryOfType(QStringLiteral("pkg"), QStringLiteral("dir")),
            fileEntry(QStringLiteral("pkg/manifest.json"), manifestBytes(id, version)),
            fileEntry(QStringLiteral("pkg/bin/run"), "#!/bin/sh\necho '{}'\n", 0755),
            fileEntry(QStringLiteral("pkg/classifier.lua"), "return 'ok'\n")};
}

bool haveProgram(const QString &name)
{
    return !QStandardPaths::findExecutable(name).isEmpty();
}

} // namespace prophasis::testing
