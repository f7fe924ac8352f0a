#include <limits>

#include "shared/json/argumentjson.h"
#include "shared/json/classifierjson.h"
#include "shared/json/entityjson.h"
#include "shared/json/jsonreader.h"

namespace prophasis {

QJsonObject toJson(const PluginArgument &argument)
{
    return {
        {QStringLiteral("name"), argument.name},
        {QStringLiteral("type"), enumName(argument.type)},
        // An undefined value would drop the key; "no default" is null on the wire.
        {QStringLiteral("default"),
         argument.defaultValue.isUndefined() ? QJsonValue() : argument.defaultValue},
        {QStringLiteral("description"), argument.description},
        {QStringLiteral("required"), argument.required},
    };
}

// `field` names the entry in errors, e.g. "arguments.2".
PluginArgument readArgument(const QJsonValue &value, FieldErrors &errors, const QString &field)
{
    PluginArgument argument;
    if (!value.isObject()) {
        errors.add(field, QStringLiteral("must be an object"));
        return argument;
    }
    const QJsonObject object = value.toObject();
    JsonReader reader(object, errors, field + u'.');
    argument.name = reader.string(QStringLiteral("name"));
    argument.type = reader.enumValue(QStringLiteral("type"), argument.type);
    if (const QJsonValue defaultValue = object.value(QStringLiteral("default")); !defaultValue.isUndefined())
        argument.defaultValue = defaultValue;
    argument.description = reader.string(QStringLiteral("description"));
    argument.required = reader.boolean(QStringLiteral("required"), argument.required);
    return argument;
}

QJsonObject toJson(const Classifier &classifier)
{
    return {
        {QStringLiteral("source"), classifier.source},
        {QStringLiteral("n_historical"), classifier.nHistorical},
    };
}

Classifier readClassifier(JsonReader &reader, const QString &key, const Classifier &fallback)
{
    const QJsonObject object = reader.object(key);
    JsonReader nested(object, reader.errors(), reader.field(key) + u'.');
    Classifier classifier = fallback;
    classifier.source = nested.string(QStringLiteral("source"), classifier.source);
    // The range is validate()'s to check; here only that the number fits.
    classifier.nHistorical =
        int(nested.integer(QStringLiteral("n_historical"), classifier.nHistorical,
                           std::numeric_limits<int>::min(), std::numeric_limits<int>::max()));
    return classifier;
}

QJsonObject toJson(const Plugin &plugin)
{
    QJsonArray arguments;
    for (const PluginArgument &argument : plugin.arguments)
        arguments.append(toJson(argument));
    return {
        {QStringLiteral("id"), toJsonId(plugin.id)},
        {QStringLiteral("version"), plugin.version},
        {QStringLiteral("plugin_id"), plugin.pluginId},
        {QStringLiteral("name"), plugin.name},
        {QStringLiteral("description"), plugin.description},
        {QStringLiteral("plugin_version"), plugin.pluginVersion},
        {QStringLiteral("runtime"), enumName(plugin.runtime)},
        {QStringLiteral("entry"), plugin.entry},
        {QStringLiteral("classifier"), toJson(plugin.classifier)},
        {QStringLiteral("view"), enumName(plugin.view)},
        {QStringLiteral("arguments"), arguments},
        {QStringLiteral("timeout_s"), plugin.timeoutSeconds},
        {QStringLiteral("platforms"), QJsonArray::fromStringList(plugin.platforms)},
        {QStringLiteral("package_sha256"), plugin.packageSha256},
    };
}

FieldErrors fromJson(const QJsonObject &json, Plugin &out)
{
    FieldErrors errors;
    JsonReader reader(json, errors);
    reader.entity(out);
    out.pluginId = reader.string(QStringLiteral("plugin_id"), out.pluginId);
    out.name = reader.string(QStringLiteral("name"), out.name);
    out.description = reader.string(QStringLiteral("description"), out.description);
    out.pluginVersion = reader.string(QStringLiteral("plugin_version"), out.pluginVersion);
    out.runtime = reader.enumValue(QStringLiteral("runtime"), out.runtime);
    out.entry = reader.string(QStringLiteral("entry"), out.entry);
    if (reader.has(QStringLiteral("classifier")))
        out.classifier = readClassifier(reader, QStringLiteral("classifier"), out.classifier);
    out.view = reader.enumValue(QStringLiteral("view"), out.view);
    if (reader.has(QStringLiteral("arguments"))) {
        const QJsonArray items = reader.array(QStringLiteral("arguments"));
        out.arguments.clear();
        for (qsizetype i = 0; i < items.size(); ++i)
            out.arguments.append(readArgument(items[i], errors, QStringLiteral("arguments.%1").arg(i)));
    }
    out.timeoutSeconds =
        int(reader.integer(QStringLiteral("timeout_s"), out.timeoutSeconds, std::numeric_limits<int>::min(),
                           std::numeric_limits<int>::max()));
    out.platforms = reader.stringList(QStringLiteral("platforms"), out.platforms);
    out.packageSha256 = reader.string(QStringLiteral("package_sha256"), out.packageSha256);
    return errors;
}

} // namespace prophasis
