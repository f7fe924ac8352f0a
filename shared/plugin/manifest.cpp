#include "shared/plugin/manifest.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QSet>

#include <algorithm>
#include <cmath>

#include "shared/domain/pluginversion.h"
#include "shared/domain/validation.h"
#include "shared/json/argumentjson.h"
#include "shared/json/jsonreader.h"

namespace prophasis {

namespace {

const QString ManifestFile = QStringLiteral("manifest.json");

// A path inside the package: relative, and no '..' component, so it cannot name a file outside.
bool isSafeRelativePath(const QString &path)
{
    if (path.isEmpty() || path.startsWith(u'/') || path.contains(QChar(0)))
        return false;
    int names = 0;
    for (const QString &part : path.split(u'/')) {
        if (part == QStringLiteral(".."))
            return false;
        if (!part.isEmpty() && part != QStringLiteral("."))
            ++names;
    }
    return names > 0;
}

bool isSafeAbsolutePath(const QString &path)
{
    return path.startsWith(u'/') && isSafeRelativePath(path.mid(1));
}

// JSON numbers hold integers exactly only up to 2^53.
bool isWholeNumber(const QJsonValue &value)
{
    constexpr double exactLimit = 9007199254740992.0;
    const double number = value.toDouble();
    return value.isDouble() && std::isfinite(number) && std::trunc(number) == number &&
           std::fabs(number) <= exactLimit;
}

bool hasType(const QJsonValue &value, ArgumentType type)
{
    switch (type) {
    case ArgumentType::String:
        return value.isString();
    case ArgumentType::Integer:
        return isWholeNumber(value);
    case ArgumentType::Number:
        return value.isDouble() && std::isfinite(value.toDouble());
    case ArgumentType::Boolean:
        return value.isBool();
    }
    return false;
}

QString typeDescription(ArgumentType type)
{
    switch (type) {
    case ArgumentType::String:
        return QStringLiteral("a string");
    case ArgumentType::Integer:
        return QStringLiteral("a whole number");
    case ArgumentType::Number:
        return QStringLiteral("a number");
    case ArgumentType::Boolean:
        return QStringLiteral("true or false");
    }
    return {};
}

// "{name}" placeholders in command_arguments.
const QRegularExpression &placeholderPattern()
{
    static const QRegularExpression pattern(QStringLiteral("\\{([A-Za-z_][A-Za-z0-9_]*)\\}"));
    return pattern;
}

void checkPaths(FieldErrors &errors, const PluginManifest &manifest)
{
    const bool nagiosProgram =
        manifest.runtime == PluginRuntime::Nagios && isSafeAbsolutePath(manifest.entry);
    if (!manifest.entry.isEmpty() && !nagiosProgram && !isSafeRelativePath(manifest.entry))
        errors.add(
            QStringLiteral("entry"),
            manifest.runtime == PluginRuntime::Nagios
                ? QStringLiteral("must be a path inside the package or the absolute path of an installed "
                                 "program, without '..'")
                : QStringLiteral("must be a path inside the package, without '..' or a leading '/'"));
    if (!manifest.defaultClassifier.isEmpty() && !isSafeRelativePath(manifest.defaultClassifier))
        errors.add(QStringLiteral("default_classifier"),
                   QStringLiteral("must be a path inside the package, without '..' or a leading '/'"));
}

// Names and defaults; the count is checked before the arguments are read at all.
void checkArguments(FieldErrors &errors, const PluginManifest &manifest)
{
    QSet<QString> names;
    for (qsizetype i = 0; i < manifest.arguments.size(); ++i) {
        const PluginArgument &argument = manifest.arguments[i];
        const QString prefix = QStringLiteral("arguments.%1.").arg(i);
        if (!isValidVariableName(argument.name))
            errors.add(prefix + QStringLiteral("name"),
                       QStringLiteral("must be a letter or _ followed by up to 63 letters, digits or _"));
        else if (names.contains(argument.name))
            errors.add(prefix + QStringLiteral("name"),
                       QStringLiteral("argument %1 is defined twice").arg(argument.name));
        names.insert(argument.name);
        const QJsonValue &value = argument.defaultValue;
        if (!value.isUndefined() && !value.isNull() && !hasType(value, argument.type))
            errors.add(prefix + QStringLiteral("default"),
                       QStringLiteral("must be %1").arg(typeDescription(argument.type)));
    }
}

void checkCommandArguments(FieldErrors &errors, const PluginManifest &manifest)
{
    if (manifest.commandArguments.isEmpty())
        return;
    if (manifest.runtime != PluginRuntime::Exec && manifest.runtime != PluginRuntime::Nagios) {
        errors.add(QStringLiteral("command_arguments"),
                   QStringLiteral("only exec and nagios plugins take a command line"));
        return;
    }
    QSet<QString> declared;
    for (const PluginArgument &argument : manifest.arguments)
        declared.insert(argument.name);
    for (qsizetype i = 0; i < manifest.commandArguments.size(); ++i) {
        auto matches = placeholderPattern().globalMatch(manifest.commandArguments[i]);
        while (matches.hasNext()) {
            const QString name = matches.next().captured(1);
            if (!declared.contains(name))
                errors.add(QStringLiteral("command_arguments.%1").arg(i),
                           QStringLiteral("{%1} names no argument of the plugin").arg(name));
        }
    }
}

void checkCapabilities(FieldErrors &errors, const QStringList &capabilities)
{
    static const QRegularExpression pattern(QRegularExpression::anchoredPattern(u"CAP_[A-Z0-9_]{1,60}"));
    for (qsizetype i = 0; i < capabilities.size(); ++i) {
        if (!pattern.match(capabilities[i]).hasMatch())
            errors.add(QStringLiteral("capabilities.%1").arg(i),
                       QStringLiteral("must be a Linux capability name such as CAP_DAC_READ_SEARCH"));
    }
}

QString describe(const FieldErrors &errors)
{
    QStringList parts;
    for (const FieldError &error : errors.list())
        parts.append(QStringLiteral("'%1' %2").arg(error.field, error.message));
    return ManifestFile + QStringLiteral(": ") + parts.join(QStringLiteral("; "));
}

} // namespace

std::optional<PluginManifest> parseManifest(const QByteArray &json, QString *error)
{
    const auto fail = [error](const QString &message) -> std::optional<PluginManifest> {
        if (error)
            *error = message;
        return std::nullopt;
    };
    if (json.size() > MaxManifestBytes)
        return fail(QStringLiteral("%1 is %2 bytes; at most %3 are allowed")
                        .arg(ManifestFile)
                        .arg(json.size())
                        .arg(MaxManifestBytes));
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(json, &parseError);
    if (parseError.error != QJsonParseError::NoError)
        return fail(QStringLiteral("%1 is not valid JSON: %2 at byte %3")
                        .arg(ManifestFile, parseError.errorString())
                        .arg(parseError.offset));
    if (!document.isObject())
        return fail(QStringLiteral("%1 must hold a JSON object").arg(ManifestFile));

    FieldErrors errors;
    JsonReader reader(document.object(), errors);
    PluginManifest manifest;
    const bool required = true;
    manifest.id = reader.string(QStringLiteral("id"), {}, required);
    manifest.name = reader.string(QStringLiteral("name"), {}, required);
    manifest.description = reader.string(QStringLiteral("description"), {}, required);
    manifest.version = reader.string(QStringLiteral("version"), {}, required);
    manifest.runtime = reader.enumValue(QStringLiteral("runtime"), manifest.runtime, required);
    manifest.entry = reader.string(QStringLiteral("entry"), {}, required);
    manifest.defaultNHistorical =
        int(reader.integer(QStringLiteral("default_n_historical"), manifest.defaultNHistorical, 1,
                           MaxClassifierHistory, required));
    manifest.defaultClassifier = reader.string(QStringLiteral("default_classifier"), {}, required);
    manifest.view = reader.enumValue(QStringLiteral("view"), manifest.view);
    const QJsonArray arguments = reader.array(QStringLiteral("arguments"));
    if (arguments.size() <= MaxPluginArguments) {
        for (qsizetype i = 0; i < arguments.size(); ++i)
            manifest.arguments.append(
                readArgument(arguments[i], errors, QStringLiteral("arguments.%1").arg(i)));
    } else {
        errors.add(QStringLiteral("arguments"),
                   QStringLiteral("at most %1 arguments are allowed").arg(MaxPluginArguments));
    }
    manifest.timeoutSeconds =
        int(reader.integer(QStringLiteral("timeout_s"), manifest.timeoutSeconds, 1, MaxPluginTimeoutSeconds));
    manifest.platforms = reader.stringList(QStringLiteral("platforms"));
    manifest.capabilities = reader.stringList(QStringLiteral("capabilities"));
    manifest.commandArguments = reader.stringList(QStringLiteral("command_arguments"));

    // Rules on the values, for the fields that were read without a type error.
    const auto readOk = [&errors](const char *field) { return !errors.hasField(QLatin1String(field)); };
    if (readOk("id") && reader.has(QStringLiteral("id")) && !isValidPluginId(manifest.id))
        errors.add(QStringLiteral("id"),
                   QStringLiteral("must be lower-case letters, digits, '.', '_' or '-', starting "
                                  "with a letter or digit, at most 128 characters"));
    if (readOk("name") && reader.has(QStringLiteral("name")) &&
        (manifest.name.trimmed().isEmpty() || manifest.name.size() > MaxNameLength))
        errors.add(QStringLiteral("name"), QStringLiteral("must be 1 to %1 characters").arg(MaxNameLength));
    if (manifest.description.size() > MaxDescriptionLength)
        errors.add(QStringLiteral("description"),
                   QStringLiteral("must be at most %1 characters").arg(MaxDescriptionLength));
    if (readOk("version") && reader.has(QStringLiteral("version")) && !isValidPluginVersion(manifest.version))
        errors.add(QStringLiteral("version"), QStringLiteral("must be a version such as 1.2 or 2.0.1-rc.1"));
    if (manifest.runtime == PluginRuntime::Server && readOk("runtime"))
        errors.add(
            QStringLiteral("runtime"),
            QStringLiteral("server is reserved for the core's built-in checks; use lua, exec or nagios"));
    if (readOk("entry") && reader.has(QStringLiteral("entry")) && manifest.entry.isEmpty())
        errors.add(QStringLiteral("entry"), QStringLiteral("must name the file to run"));
    if (readOk("default_classifier") && reader.has(QStringLiteral("default_classifier")) &&
        manifest.defaultClassifier.isEmpty())
        errors.add(QStringLiteral("default_classifier"),
                   QStringLiteral("must name a Lua file in the package"));
    checkPaths(errors, manifest);
    if (readOk("arguments"))
        checkArguments(errors, manifest);
    checkCommandArguments(errors, manifest);
    checkCapabilities(errors, manifest.capabilities);

    if (!errors.isEmpty())
        return fail(describe(errors));
    return manifest;
}

std::optional<QJsonObject> resolveArguments(const PluginManifest &manifest, const QJsonObject &given,
                                            QString *error)
{
    return resolveArguments(manifest.id, manifest.arguments, given, error);
}

std::optional<QJsonObject> resolveArguments(const QString &pluginId, const QList<PluginArgument> &declared,
                                            const QJsonObject &given, QString *error)
{
    QStringList problems;
    for (auto it = given.constBegin(); it != given.constEnd(); ++it) {
        const bool known =
            std::any_of(declared.cbegin(), declared.cend(),
                        [&it](const PluginArgument &argument) { return argument.name == it.key(); });
        if (!known)
            problems.append(QStringLiteral("%1 has no argument '%2'").arg(pluginId, it.key()));
    }
    QJsonObject resolved;
    for (const PluginArgument &argument : declared) {
        QJsonValue value = given.value(argument.name);
        if (value.isUndefined() || value.isNull())
            value = argument.defaultValue;
        if (value.isUndefined() || value.isNull()) {
            if (argument.required)
                problems.append(QStringLiteral("argument '%1' is required").arg(argument.name));
            continue;
        }
        if (!hasType(value, argument.type)) {
            problems.append(QStringLiteral("argument '%1' must be %2")
                                .arg(argument.name, typeDescription(argument.type)));
            continue;
        }
        resolved.insert(argument.name, value);
    }
    if (!problems.isEmpty()) {
        if (error)
            *error = problems.join(QStringLiteral("; "));
        return std::nullopt;
    }
    return resolved;
}

} // namespace prophasis
