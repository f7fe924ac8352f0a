#include "daemon-agent/store/agentpluginstore.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QMutexLocker>
#include <QRandomGenerator>
#include <QSaveFile>
#include <QSet>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <unistd.h>

#include "shared/domain/pluginversion.h"
#include "shared/domain/validation.h"
#include "shared/json/jsonreader.h"

namespace prophasis {

namespace {

Q_LOGGING_CATEGORY(lcStore, "prophasis.agent.store")

const QString StagingFolder = QStringLiteral("staging");
const QString PackagesFolder = QStringLiteral("packages");
const QString CurrentFolder = QStringLiteral("current");
const QString FilesFolder = QStringLiteral("package"); // inside a package folder: the package's files
const QString InstallFile = QStringLiteral("install.json");
const QString ManifestFile = QStringLiteral("manifest.json");
constexpr int FolderHashLength = 16;
constexpr QFileDevice::Permissions PackageFolderPermissions =
    QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner | QFileDevice::ReadGroup |
    QFileDevice::ExeGroup | QFileDevice::ReadOther | QFileDevice::ExeOther;

QString randomName()
{
    return QString::number(QRandomGenerator::system()->generate64(), 16);
}

QString systemError()
{
    return QString::fromLocal8Bit(std::strerror(errno));
}

QString packageFolderName(const QString &pluginId, const QString &sha256)
{
    return pluginId + u'-' + sha256.left(FolderHashLength);
}

// Makes what was written so far durable before the step that publishes it, so a power cut
// cannot leave current/<id> pointing at files that never reached the disk.
void syncFolder(const QString &path)
{
    const int fd = ::open(QFile::encodeName(path).constData(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return;
#ifdef __linux__
    ::syncfs(fd);
#else
    ::sync();
#endif
    ::fsync(fd);
    ::close(fd);
}

bool writeInstallRecord(const QString &path, const InstalledPlugin &plugin, QString *error)
{
    const QJsonObject record{
        {QStringLiteral("sha256"), plugin.sha256},
        {QStringLiteral("installed"), toJsonTime(plugin.installed)},
        {QStringLiteral("signed"), plugin.isSigned},
        {QStringLiteral("signer"), plugin.signer},
    };
    QSaveFile file(path);
    const QByteArray bytes = QJsonDocument(record).toJson();
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size() || !file.commit()) {
        *error = QStringLiteral("cannot write %1: %2").arg(path, file.errorString());
        return false;
    }
    return true;
}

QByteArray readSmallFile(const QString &path, qsizetype limit, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("cannot read %1: %2").arg(path, file.errorString());
        return {};
    }
    if (file.size() > limit) {
        *error = QStringLiteral("%1 is too large").arg(path);
        return {};
    }
    return file.readAll();
}

InstallOutcome outcome(int status, const QString &message, std::optional<InstalledPlugin> plugin)
{
    return InstallOutcome{status, message, std::move(plugin)};
}

} // namespace

AgentPluginStore::AgentPluginStore(const QString &root, SignatureMode mode, const SignatureVerifier *verifier,
                                   QStringList trustedFingerprints, PackageLimits limits)
    : m_root(QDir(root).absolutePath())
    , m_mode(mode)
    , m_verifier(verifier)
    , m_trustedFingerprints(std::move(trustedFingerprints))
    , m_limits(limits)
{
    QDir folder(m_root);
    for (const QString &name : {StagingFolder, PackagesFolder, CurrentFolder}) {
        if (!folder.mkpath(name))
            qCWarning(lcStore) << "cannot create" << folder.filePath(name);
    }
    cleanStaging();
    loadInstalled();
}

void AgentPluginStore::cleanStaging()
{
    const QDir staging(QDir(m_root).filePath(StagingFolder));
    const QStringList leftovers =
        staging.entryList(QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot);
    for (const QString &name : leftovers) {
        const QString path = staging.filePath(name);
        const QFileInfo info(path);
        if (info.isDir() && !info.isSymLink())
            QDir(path).removeRecursively();
        else
            QFile::remove(path);
        qCInfo(lcStore) << "removed the unfinished install" << path;
    }
}

// Rebuilds the index from current/, the one place that says what is installed, and removes
// package folders nothing points to (left by an install or removal that was cut short).
void AgentPluginStore::loadInstalled()
{
    const QDir current(QDir(m_root).filePath(CurrentFolder));
    QSet<QString> referenced;
    const QStringList names =
        current.entryList(QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot);
    for (const QString &name : names) {
        const QString linkPath = current.filePath(name);
        if (name.startsWith(u'.')) { // a temporary link of a switch that never happened
            QFile::remove(linkPath);
            continue;
        }
        const QByteArray target = QFile::encodeName(linkPath);
        char buffer[4096];
        const ssize_t length = ::readlink(target.constData(), buffer, sizeof buffer - 1);
        if (length <= 0 || !isValidPluginId(name)) {
            qCWarning(lcStore) << "ignoring" << linkPath << ": not a plugin link";
            continue;
        }
        const QString folderName = QFileInfo(QFile::decodeName(QByteArray(buffer, length))).fileName();
        QString error;
        std::optional<InstalledPlugin> plugin = loadPackage(folderName, &error);
        if (plugin && plugin->manifest.id != name)
            error = QStringLiteral("it holds plugin %1").arg(plugin->manifest.id);
        if (!plugin || !error.isEmpty()) {
            qCWarning(lcStore).noquote() << "removing the damaged installation of" << name << ":" << error;
            QFile::remove(linkPath);
            continue;
        }
        referenced.insert(folderName);
        m_installed.insert(name, *plugin);
    }
    const QDir packages(QDir(m_root).filePath(PackagesFolder));
    for (const QString &name :
         packages.entryList(QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot)) {
        if (referenced.contains(name))
            continue;
        const QString path = packages.filePath(name);
        if (QFileInfo(path).isDir() && !QFileInfo(path).isSymLink())
            QDir(path).removeRecursively();
        else
            QFile::remove(path);
        qCInfo(lcStore) << "removed the unused package folder" << path;
    }
}

std::optional<InstalledPlugin> AgentPluginStore::loadPackage(const QString &folderName, QString *error) const
{
    const QDir folder(QDir(m_root).filePath(PackagesFolder + u'/' + folderName));
    InstalledPlugin plugin;
    plugin.directory = folder.filePath(FilesFolder);
    const QByteArray manifestBytes =
        readSmallFile(QDir(plugin.directory).filePath(ManifestFile), MaxManifestBytes, error);
    const QByteArray recordBytes = readSmallFile(folder.filePath(InstallFile), MaxManifestBytes, error);
    if (manifestBytes.isEmpty() || recordBytes.isEmpty())
        return std::nullopt;
    std::optional<PluginManifest> manifest = parseManifest(manifestBytes, error);
    if (!manifest)
        return std::nullopt;
    plugin.manifest = std::move(*manifest);

    FieldErrors errors;
    JsonReader reader(QJsonDocument::fromJson(recordBytes).object(), errors);
    plugin.sha256 = reader.string(QStringLiteral("sha256"));
    plugin.installed = reader.dateTime(QStringLiteral("installed"));
    plugin.isSigned = reader.boolean(QStringLiteral("signed"), false);
    plugin.signer = reader.string(QStringLiteral("signer"));
    if (!errors.isEmpty() || !isValidSha256Hex(plugin.sha256) ||
        folderName != packageFolderName(plugin.manifest.id, plugin.sha256)) {
        *error = QStringLiteral("%1 is damaged").arg(folder.filePath(InstallFile));
        return std::nullopt;
    }
    return plugin;
}

AgentPluginStore::SignatureCheck AgentPluginStore::checkSignature(const QByteArray &archive,
                                                                  const QByteArray &signature) const
{
    SignatureCheck check;
    if (m_mode == SignatureMode::Off || (m_mode == SignatureMode::VerifyIfPresent && signature.isEmpty())) {
        check.accepted = true;
        return check;
    }
    if (signature.isEmpty()) {
        check.message =
            QStringLiteral("this agent accepts only signed packages (signatures: enforce); send the "
                           "package with its detached OpenPGP signature");
        return check;
    }
    if (!m_verifier) {
        check.message = QStringLiteral("this agent has no keyring to check signatures with");
        return check;
    }
    const SignatureVerifier::Verdict verdict = m_verifier->verify(archive, signature, m_trustedFingerprints);
    if (verdict.kind != SignatureVerifier::Verdict::Kind::Good) {
        check.message = QStringLiteral("signature refused: %1").arg(verdict.message);
        return check;
    }
    check.accepted = true;
    check.isSigned = true;
    check.signer = verdict.primaryFingerprint;
    return check;
}

InstallOutcome AgentPluginStore::install(const QString &pluginId, const QByteArray &archive,
                                         const QByteArray &signature, bool allowDowngrade)
{
    if (!isValidPluginId(pluginId))
        return outcome(422, QStringLiteral("'%1' is not a plugin id").arg(pluginId), std::nullopt);
    if (archive.size() > m_limits.maxArchiveBytes)
        return outcome(413,
                       QStringLiteral("the package is %1 bytes; at most %2 are allowed")
                           .arg(archive.size())
                           .arg(m_limits.maxArchiveBytes),
                       find(pluginId));
    // The signature first: with `enforce`, an untrusted archive is never even decompressed.
    const SignatureCheck signatureCheck = checkSignature(archive, signature);
    if (!signatureCheck.accepted)
        return outcome(403, signatureCheck.message, find(pluginId));

    const QString sha256 =
        QString::fromLatin1(QCryptographicHash::hash(archive, QCryptographicHash::Sha256).toHex());
    if (std::optional<InstalledPlugin> installed = find(pluginId); installed && installed->sha256 == sha256)
        return outcome(
            200, QStringLiteral("%1 %2 is already installed").arg(pluginId, installed->manifest.version),
            installed);

    // Extraction runs outside the lock: it is the slow part and touches only its own folder.
    const QString staging = QDir(m_root).filePath(StagingFolder + u'/' + randomName());
    // Made here, not by mkpath, so the package folder it becomes is 0755 whatever the umask.
    if (!QDir().mkdir(staging) || !QFile::setPermissions(staging, PackageFolderPermissions))
        return outcome(500, QStringLiteral("cannot create %1").arg(staging), find(pluginId));
    QString error;
    const std::optional<Package> package =
        extractPackage(archive, staging + QStringLiteral("/extract"), m_limits, &error);
    InstallOutcome result;
    if (!package)
        result = outcome(422, error, find(pluginId));
    else if (package->manifest.id != pluginId)
        result = outcome(
            422, QStringLiteral("the package holds plugin %1, not %2").arg(package->manifest.id, pluginId),
            find(pluginId));
    else
        result = commit(pluginId, *package, staging, signatureCheck, allowDowngrade);
    QDir(staging).removeRecursively();
    return result;
}

InstallOutcome AgentPluginStore::commit(const QString &pluginId, const Package &package,
                                        const QString &staging, const SignatureCheck &signature,
                                        bool allowDowngrade)
{
    QMutexLocker locker(&m_mutex);
    const auto existing = m_installed.constFind(pluginId);
    const bool replacing = existing != m_installed.constEnd();
    const std::optional<InstalledPlugin> previous = replacing ? std::optional(*existing) : std::nullopt;
    if (previous && previous->sha256 == package.sha256)
        return outcome(200,
                       QStringLiteral("%1 %2 is already installed").arg(pluginId, previous->manifest.version),
                       previous);
    // Same version with another hash is a re-uploaded fix, so only an older version is a downgrade.
    if (previous && !allowDowngrade &&
        compareVersions(package.manifest.version, previous->manifest.version) < 0)
        return outcome(
            409,
            QStringLiteral("%1 %2 is older than the installed %3; ask for the downgrade explicitly "
                           "(allow_downgrade=1)")
                .arg(pluginId, package.manifest.version, previous->manifest.version),
            previous);

    const auto failed = [&previous](const QString &message) {
        qCWarning(lcStore).noquote() << message;
        return outcome(500, message, previous);
    };
    const QString folderName = packageFolderName(pluginId, package.sha256);
    const QString finalPath = QDir(m_root).filePath(PackagesFolder + u'/' + folderName);
    if (previous && QDir(previous->directory).absolutePath() == QDir(finalPath).filePath(FilesFolder))
        return failed(
            QStringLiteral("cannot install %1: its package folder name collides with the installed one")
                .arg(pluginId));

    InstalledPlugin plugin{package.manifest,
                           package.sha256,
                           QDir(finalPath).filePath(FilesFolder),
                           QDateTime::currentDateTimeUtc(),
                           signature.isSigned,
                           signature.signer};
    // staging/<r>/extract/<top> → staging/<r>/package, beside install.json: one folder to move.
    const QString extracted = QDir(staging).filePath(QStringLiteral("extract/") + package.topFolder);
    QString error;
    if (::rename(QFile::encodeName(extracted).constData(),
                 QFile::encodeName(QDir(staging).filePath(FilesFolder)).constData()) != 0 ||
        !QDir(staging).rmdir(QStringLiteral("extract")))
        return failed(QStringLiteral("cannot prepare %1: %2").arg(staging, systemError()));
    if (!writeInstallRecord(QDir(staging).filePath(InstallFile), plugin, &error))
        return failed(error);
    if (QFileInfo::exists(finalPath)) // left by an install cut short; nothing points to it
        QDir(finalPath).removeRecursively();
    if (::rename(QFile::encodeName(staging).constData(), QFile::encodeName(finalPath).constData()) != 0)
        return failed(QStringLiteral("cannot move the package into %1: %2").arg(finalPath, systemError()));
    syncFolder(finalPath);

    // The switch: a new symlink renamed over the old one, atomically.
    const QDir current(QDir(m_root).filePath(CurrentFolder));
    const QString temporaryLink = current.filePath(u'.' + pluginId + u'-' + randomName());
    const QByteArray target = QFile::encodeName(QStringLiteral("../") + PackagesFolder + u'/' + folderName);
    if (::symlink(target.constData(), QFile::encodeName(temporaryLink).constData()) != 0 ||
        ::rename(QFile::encodeName(temporaryLink).constData(),
                 QFile::encodeName(current.filePath(pluginId)).constData()) != 0) {
        const QString reason = systemError();
        QFile::remove(temporaryLink);
        QDir(finalPath).removeRecursively();
        return failed(QStringLiteral("cannot switch %1 to the new package: %2").arg(pluginId, reason));
    }
    syncFolder(current.absolutePath());

    // The package just replaced stays one generation, so a run that already resolved its folder
    // finishes on intact files; older generations of this plugin go now (and any the start-up
    // clean-up finds unreferenced).
    const QString keep = previous ? QFileInfo(QFileInfo(previous->directory).absolutePath()).fileName() : QString();
    const QDir packages(QDir(m_root).filePath(PackagesFolder));
    for (const QString &name : packages.entryList({pluginId + QStringLiteral("-*")}, QDir::Dirs | QDir::NoDotAndDotDot)) {
        if (name != folderName && name != keep && name.size() == pluginId.size() + 1 + FolderHashLength)
            QDir(packages.filePath(name)).removeRecursively();
    }
    m_installed.insert(pluginId, plugin);
    qCInfo(lcStore).noquote() << "installed" << pluginId << plugin.manifest.version << plugin.sha256;
    if (previous)
        return outcome(200,
                       QStringLiteral("replaced %1 %2 with %3")
                           .arg(pluginId, previous->manifest.version, plugin.manifest.version),
                       plugin);
    return outcome(201, QStringLiteral("installed %1 %2").arg(pluginId, plugin.manifest.version), plugin);
}

bool AgentPluginStore::remove(const QString &pluginId, QString *error)
{
    QMutexLocker locker(&m_mutex);
    const auto it = m_installed.constFind(pluginId);
    if (it == m_installed.constEnd()) {
        if (error)
            *error = QStringLiteral("plugin %1 is not installed").arg(pluginId);
        return false;
    }
    const QString current = QDir(m_root).filePath(CurrentFolder);
    if (::unlink(QFile::encodeName(QDir(current).filePath(pluginId)).constData()) != 0 && errno != ENOENT) {
        if (error)
            *error = QStringLiteral("cannot remove plugin %1: %2").arg(pluginId, systemError());
        return false;
    }
    syncFolder(current);
    QDir(QFileInfo(it->directory).absolutePath()).removeRecursively();
    m_installed.erase(it);
    qCInfo(lcStore).noquote() << "removed" << pluginId;
    return true;
}

QList<InstalledPlugin> AgentPluginStore::list() const
{
    QMutexLocker locker(&m_mutex);
    QList<InstalledPlugin> plugins = m_installed.values();
    std::sort(plugins.begin(), plugins.end(), [](const InstalledPlugin &a, const InstalledPlugin &b) {
        return a.manifest.id < b.manifest.id;
    });
    return plugins;
}

std::optional<InstalledPlugin> AgentPluginStore::find(const QString &pluginId) const
{
    QMutexLocker locker(&m_mutex);
    const auto it = m_installed.constFind(pluginId);
    if (it == m_installed.constEnd())
        return std::nullopt;
    return *it;
}

} // namespace prophasis
