#include "daemon-core/serverchecks/serverplugins.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>

#include "daemon-core/serverchecks/servercheckrunner.h"
#include "shared/plugin/manifest.h"

namespace prophasis {

namespace {

QByteArray readResource(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        qFatal("the built-in server plugin file %s is missing from the program", qPrintable(path));
    return file.readAll();
}

} // namespace

std::optional<Plugin> serverPluginFromManifest(const QByteArray &manifestJson,
                                               const QString &classifierSource, QString *error)
{
    QJsonObject object = QJsonDocument::fromJson(manifestJson).object();
    if (object.value(QStringLiteral("runtime")).toString() != QLatin1String("server")) {
        *error = QStringLiteral("manifest.json: 'runtime' must be server");
        return std::nullopt;
    }
    // parseManifest() refuses "server" (uploads may not claim it); every other rule applies.
    object.insert(QStringLiteral("runtime"), QStringLiteral("exec"));
    std::optional<PluginManifest> manifest = parseManifest(QJsonDocument(object).toJson(), error);
    if (!manifest)
        return std::nullopt;
    if (!ServerCheckRunner::kinds().contains(manifest->entry)) {
        *error = QStringLiteral("manifest.json: 'entry' must be one of %1")
                     .arg(ServerCheckRunner::kinds().join(QStringLiteral(", ")));
        return std::nullopt;
    }
    Plugin plugin;
    plugin.pluginId = manifest->id;
    plugin.name = manifest->name;
    plugin.description = manifest->description;
    plugin.pluginVersion = manifest->version;
    plugin.runtime = PluginRuntime::Server;
    plugin.entry = manifest->entry;
    plugin.classifier = {classifierSource, manifest->defaultNHistorical};
    plugin.view = manifest->view;
    plugin.arguments = manifest->arguments;
    plugin.timeoutSeconds = manifest->timeoutSeconds;
    plugin.platforms = manifest->platforms;
    return plugin;
}

QList<Plugin> builtInServerPlugins()
{
    QList<Plugin> plugins;
    for (const QString &kind : ServerCheckRunner::kinds()) {
        const QString folder = QStringLiteral(":/serverplugins/%1/").arg(kind);
        QString error;
        std::optional<Plugin> plugin = serverPluginFromManifest(
            readResource(folder + QStringLiteral("manifest.json")),
            QString::fromUtf8(readResource(folder + QStringLiteral("classifier.lua"))), &error);
        // The files are part of the program and tested: a bad one is a build mistake.
        if (!plugin)
            qFatal("built-in server plugin %s: %s", qPrintable(kind), qPrintable(error));
        plugins.append(*plugin);
    }
    return plugins;
}

} // namespace prophasis
