#include "daemon-core/api/pluginpackages.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>

namespace prophasis {

std::optional<CheckedPackage> checkPluginPackage(const QByteArray &archive, const PackageLimits &limits,
                                                 QString *error)
{
    // Extracting (not only inspecting) gives the classifier's text through the package's own
    // rules: symlinks resolved inside the folder, nothing outside it readable.
    QTemporaryDir scratch;
    if (!scratch.isValid()) {
        *error = QStringLiteral("cannot create a temporary folder to check the package: %1")
                     .arg(scratch.errorString());
        return std::nullopt;
    }
    const QString destination = scratch.filePath(QStringLiteral("package"));
    std::optional<Package> package = extractPackage(archive, destination, limits, error);
    if (!package)
        return std::nullopt;
    QFile classifier(
        QDir(destination).filePath(package->topFolder + u'/' + package->manifest.defaultClassifier));
    if (!classifier.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("cannot read the default classifier '%1' of the package: %2")
                     .arg(package->manifest.defaultClassifier, classifier.errorString());
        return std::nullopt;
    }
    // Bounded by the package limits; validate() then holds it to the classifier's own limit.
    CheckedPackage checked{std::move(*package), QString::fromUtf8(classifier.readAll())};
    return checked;
}

Plugin pluginFromPackage(Plugin base, const CheckedPackage &checked)
{
    const PluginManifest &manifest = checked.package.manifest;
    base.pluginId = manifest.id;
    base.name = manifest.name;
    base.description = manifest.description;
    base.pluginVersion = manifest.version;
    base.runtime = manifest.runtime;
    base.entry = manifest.entry;
    base.classifier.source = checked.classifierSource;
    base.classifier.nHistorical = manifest.defaultNHistorical;
    base.view = manifest.view;
    base.arguments = manifest.arguments;
    base.timeoutSeconds = manifest.timeoutSeconds;
    base.platforms = manifest.platforms;
    base.packageSha256 = checked.package.sha256;
    return base;
}

} // namespace prophasis
