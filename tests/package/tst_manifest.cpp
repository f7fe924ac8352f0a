#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

#include "shared/plugin/manifest.h"

using namespace prophasis;

namespace {

QJsonObject validManifest()
{
    return {
        {QStringLiteral("id"), QStringLiteral("org.example.disk_free")},
        {QStringLiteral("name"), QStringLiteral("Disk free")},
        {QStringLiteral("description"), QStringLiteral("Free space on a path")},
        {QStringLiteral("version"), QStringLiteral("1.2.0")},
        {QStringLiteral("runtime"), QStringLiteral("exec")},
        {QStringLiteral("entry"), QStringLiteral("bin/disk_free")},
        {QStringLiteral("default_n_historical"), 3},
        {QStringLiteral("default_classifier"), QStringLiteral("classifier.lua")},
    };
}

QJsonObject argument(const QString &name, const QString &type,
                     const QJsonValue &defaultValue = QJsonValue::Undefined, bool required = false)
{
    QJsonObject object{
        {QStringLiteral("name"), name},
        {QStringLiteral("type"), type},
        {QStringLiteral("description"), QStringLiteral("what ") + name + QStringLiteral(" is")},
        {QStringLiteral("required"), required},
    };
    if (!defaultValue.isUndefined())
        object.insert(QStringLiteral("default"), defaultValue);
    return object;
}

std::optional<PluginManifest> parse(const QJsonObject &object, QString *error)
{
    return parseManifest(QJsonDocument(object).toJson(), error);
}

QJsonObject with(QJsonObject object, const QString &key, const QJsonValue &value)
{
    object.insert(key, value);
    return object;
}

} // namespace

class TestManifest : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void parsesAFullManifest()
    {
        QJsonObject json = validManifest();
        json.insert(QStringLiteral("view"), QStringLiteral("percent"));
        json.insert(QStringLiteral("timeout_s"), 30);
        json.insert(QStringLiteral("platforms"),
                    QJsonArray{QStringLiteral("linux"), QStringLiteral("freebsd")});
        json.insert(QStringLiteral("capabilities"), QJsonArray{QStringLiteral("CAP_DAC_READ_SEARCH")});
        json.insert(
            QStringLiteral("arguments"),
            QJsonArray{argument(QStringLiteral("path"), QStringLiteral("string"), QStringLiteral("/")),
                       argument(QStringLiteral("warning"), QStringLiteral("integer"), 80)});
        json.insert(
            QStringLiteral("command_arguments"),
            QJsonArray{QStringLiteral("-p"), QStringLiteral("{path}"), QStringLiteral("--warn={warning}")});
        json.insert(QStringLiteral("some_future_key"), true); // unknown keys are tolerated

        QString error;
        const std::optional<PluginManifest> manifest = parse(json, &error);
        QVERIFY2(manifest, qPrintable(error));
        QCOMPARE(manifest->id, QStringLiteral("org.example.disk_free"));
        QCOMPARE(manifest->name, QStringLiteral("Disk free"));
        QCOMPARE(manifest->description, QStringLiteral("Free space on a path"));
        QCOMPARE(manifest->version, QStringLiteral("1.2.0"));
        QCOMPARE(manifest->runtime, PluginRuntime::Exec);
        QCOMPARE(manifest->entry, QStringLiteral("bin/disk_free"));
        QCOMPARE(manifest->defaultNHistorical, 3);
        QCOMPARE(manifest->defaultClassifier, QStringLiteral("classifier.lua"));
        QCOMPARE(manifest->view, PluginView::Percent);
        QCOMPARE(manifest->timeoutSeconds, 30);
        QCOMPARE(manifest->platforms, (QStringList{QStringLiteral("linux"), QStringLiteral("freebsd")}));
        QCOMPARE(manifest->capabilities, QStringList{QStringLiteral("CAP_DAC_READ_SEARCH")});
        QCOMPARE(manifest->commandArguments, (QStringList{QStringLiteral("-p"), QStringLiteral("{path}"),
                                                          QStringLiteral("--warn={warning}")}));
        QCOMPARE(manifest->arguments.size(), 2);
        QCOMPARE(manifest->arguments[0].name, QStringLiteral("path"));
        QCOMPARE(manifest->arguments[0].type, ArgumentType::String);
        QCOMPARE(manifest->arguments[0].defaultValue, QJsonValue(QStringLiteral("/")));
        QCOMPARE(manifest->arguments[0].description, QStringLiteral("what path is"));
        QCOMPARE(manifest->arguments[1].type, ArgumentType::Integer);
        QCOMPARE(manifest->arguments[1].defaultValue, QJsonValue(80));
    }

    void defaultsForOptionalKeys()
    {
        QString error;
        const std::optional<PluginManifest> manifest = parse(validManifest(), &error);
        QVERIFY2(manifest, qPrintable(error));
        QCOMPARE(manifest->view, PluginView::Line);
        QCOMPARE(manifest->timeoutSeconds, DefaultPluginTimeoutSeconds);
        QVERIFY(manifest->arguments.isEmpty());
        QVERIFY(manifest->platforms.isEmpty());
        QVERIFY(manifest->capabilities.isEmpty());
        QVERIFY(manifest->commandArguments.isEmpty());
    }

    void everyRequiredKeyMissing_data()
    {
        QTest::addColumn<QString>("key");
        for (const char *key : {"id", "name", "description", "version", "runtime", "entry",
                                "default_n_historical", "default_classifier"})
            QTest::newRow(key) << QString::fromLatin1(key);
    }
    void everyRequiredKeyMissing()
    {
        QFETCH(QString, key);
        QJsonObject json = validManifest();
        json.remove(key);
        QString error;
        QVERIFY(!parse(json, &error));
        QVERIFY2(error.contains(QStringLiteral("'%1' is required").arg(key)), qPrintable(error));
        QVERIFY2(error.startsWith(QStringLiteral("manifest.json: ")), qPrintable(error));
    }

    void wrongTypes_data()
    {
        QTest::addColumn<QString>("key");
        QTest::addColumn<QJsonValue>("value");
        QTest::addColumn<QString>("expected");
        QTest::newRow("id number") << "id" << QJsonValue(5) << "'id' must be a string";
        QTest::newRow("name list") << "name" << QJsonValue(QJsonArray{}) << "'name' must be a string";
        QTest::newRow("description bool")
            << "description" << QJsonValue(true) << "'description' must be a string";
        QTest::newRow("version number") << "version" << QJsonValue(1.2) << "'version' must be a string";
        QTest::newRow("runtime unknown") << "runtime" << QJsonValue("python") << "'runtime' must be one of";
        QTest::newRow("runtime number") << "runtime" << QJsonValue(1) << "'runtime' must be one of";
        QTest::newRow("entry object") << "entry" << QJsonValue(QJsonObject{}) << "'entry' must be a string";
        QTest::newRow("history text")
            << "default_n_historical" << QJsonValue("3") << "'default_n_historical' must be a whole number";
        QTest::newRow("history fraction")
            << "default_n_historical" << QJsonValue(2.5) << "'default_n_historical' must be a whole number";
        QTest::newRow("history zero")
            << "default_n_historical" << QJsonValue(0) << "'default_n_historical' must be between 1 and 1000";
        QTest::newRow("classifier number")
            << "default_classifier" << QJsonValue(1) << "'default_classifier' must be a string";
        QTest::newRow("view unknown") << "view" << QJsonValue("pie") << "'view' must be one of";
        QTest::newRow("arguments object")
            << "arguments" << QJsonValue(QJsonObject{}) << "'arguments' must be a list";
        QTest::newRow("argument not object")
            << "arguments" << QJsonValue(QJsonArray{1}) << "'arguments.0' must be an object";
        QTest::newRow("timeout text")
            << "timeout_s" << QJsonValue("10") << "'timeout_s' must be a whole number";
        QTest::newRow("timeout too long")
            << "timeout_s" << QJsonValue(3601) << "'timeout_s' must be between 1 and 3600";
        QTest::newRow("platforms text") << "platforms" << QJsonValue("linux") << "'platforms' must be a list";
        QTest::newRow("platform number")
            << "platforms" << QJsonValue(QJsonArray{1}) << "'platforms.0' must be a string";
        QTest::newRow("capabilities text")
            << "capabilities" << QJsonValue("CAP_NET_RAW") << "'capabilities' must be a list";
        QTest::newRow("capability lower case") << "capabilities" << QJsonValue(QJsonArray{"cap_net_raw"})
                                               << "'capabilities.0' must be a Linux capability name";
        QTest::newRow("command_arguments text")
            << "command_arguments" << QJsonValue("-w 5") << "'command_arguments' must be a list";
        QTest::newRow("command argument number")
            << "command_arguments" << QJsonValue(QJsonArray{5}) << "'command_arguments.0' must be a string";
    }
    void wrongTypes()
    {
        QFETCH(QString, key);
        QFETCH(QJsonValue, value);
        QFETCH(QString, expected);
        QString error;
        QVERIFY(!parse(with(validManifest(), key, value), &error));
        QVERIFY2(error.contains(expected), qPrintable(error));
    }

    void badValues_data()
    {
        QTest::addColumn<QString>("key");
        QTest::addColumn<QJsonValue>("value");
        QTest::addColumn<QString>("expected");
        QTest::newRow("id upper case") << "id" << QJsonValue("Org.Example") << "'id' must be lower-case";
        QTest::newRow("id slash") << "id" << QJsonValue("org/example") << "'id' must be lower-case";
        QTest::newRow("id leading dot") << "id" << QJsonValue(".hidden") << "'id' must be lower-case";
        QTest::newRow("id too long") << "id" << QJsonValue(QString(129, u'a')) << "'id' must be lower-case";
        QTest::newRow("version text") << "version" << QJsonValue("latest") << "'version' must be a version";
        QTest::newRow("version empty") << "version" << QJsonValue("") << "'version' must be a version";
        QTest::newRow("version v prefix") << "version" << QJsonValue("v1.2") << "'version' must be a version";
        QTest::newRow("name empty") << "name" << QJsonValue(" ") << "'name' must be 1 to 200 characters";
        QTest::newRow("server runtime")
            << "runtime" << QJsonValue("server") << "'runtime' server is reserved";
        QTest::newRow("entry dotdot")
            << "entry" << QJsonValue("../../bin/sh") << "'entry' must be a path inside";
        QTest::newRow("entry inner dotdot")
            << "entry" << QJsonValue("bin/../../x") << "'entry' must be a path inside";
        QTest::newRow("entry absolute")
            << "entry" << QJsonValue("/usr/bin/id") << "'entry' must be a path inside";
        QTest::newRow("entry empty") << "entry" << QJsonValue("") << "'entry' must name the file to run";
        QTest::newRow("entry only dots") << "entry" << QJsonValue("./.") << "'entry' must be a path inside";
        QTest::newRow("classifier dotdot")
            << "default_classifier" << QJsonValue("../c.lua") << "'default_classifier' must be a path inside";
        QTest::newRow("classifier absolute") << "default_classifier" << QJsonValue("/etc/c.lua")
                                             << "'default_classifier' must be a path inside";
    }
    void badValues()
    {
        QFETCH(QString, key);
        QFETCH(QJsonValue, value);
        QFETCH(QString, expected);
        QString error;
        QVERIFY(!parse(with(validManifest(), key, value), &error));
        QVERIFY2(error.contains(expected), qPrintable(error));
    }

    void everyProblemIsReportedAtOnce()
    {
        QJsonObject json = validManifest();
        json.insert(QStringLiteral("id"), QStringLiteral("Bad Id"));
        json.insert(QStringLiteral("version"), QStringLiteral("new"));
        json.remove(QStringLiteral("entry"));
        QString error;
        QVERIFY(!parse(json, &error));
        QVERIFY2(error.contains(QStringLiteral("'id'")) && error.contains(QStringLiteral("'version'")) &&
                     error.contains(QStringLiteral("'entry'")),
                 qPrintable(error));
    }

    void nagiosMayNameAnInstalledProgram()
    {
        QJsonObject json = with(validManifest(), QStringLiteral("runtime"), QStringLiteral("nagios"));
        json.insert(QStringLiteral("entry"), QStringLiteral("/usr/lib/nagios/plugins/check_load"));
        QString error;
        const std::optional<PluginManifest> manifest = parse(json, &error);
        QVERIFY2(manifest, qPrintable(error));
        QCOMPARE(manifest->runtime, PluginRuntime::Nagios);
        QCOMPARE(manifest->entry, QStringLiteral("/usr/lib/nagios/plugins/check_load"));

        // …but not climb out of it, and other runtimes may not name absolute paths at all.
        json.insert(QStringLiteral("entry"), QStringLiteral("/usr/lib/nagios/../../bin/sh"));
        QVERIFY(!parse(json, &error));
        QVERIFY2(error.contains(QStringLiteral("'entry'")), qPrintable(error));
        json.insert(QStringLiteral("entry"), QStringLiteral("check_local"));
        QVERIFY2(parse(json, &error), qPrintable(error));
        for (const char *runtime : {"exec", "lua"}) {
            QJsonObject other =
                with(validManifest(), QStringLiteral("runtime"), QString::fromLatin1(runtime));
            other.insert(QStringLiteral("entry"), QStringLiteral("/usr/lib/nagios/plugins/check_load"));
            QVERIFY(!parse(other, &error));
        }
    }

    void arguments()
    {
        const auto withArguments = [](const QJsonArray &arguments) {
            return with(validManifest(), QStringLiteral("arguments"), arguments);
        };
        QString error;
        // Every type with a default of that type, and a required argument without a default.
        const QJsonArray good{
            argument(QStringLiteral("path"), QStringLiteral("string"), QStringLiteral("/")),
            argument(QStringLiteral("count"), QStringLiteral("integer"), 3),
            argument(QStringLiteral("ratio"), QStringLiteral("number"), 0.5),
            argument(QStringLiteral("verbose"), QStringLiteral("boolean"), false),
            argument(QStringLiteral("device"), QStringLiteral("string"), QJsonValue::Undefined, true)};
        const std::optional<PluginManifest> manifest = parse(withArguments(good), &error);
        QVERIFY2(manifest, qPrintable(error));
        QCOMPARE(manifest->arguments.size(), 5);
        QVERIFY(manifest->arguments[4].required);
        QVERIFY(manifest->arguments[4].defaultValue.isNull()); // no default

        QVERIFY(!parse(withArguments({argument(QStringLiteral("1st"), QStringLiteral("string"))}), &error));
        QVERIFY2(error.contains(QStringLiteral("'arguments.0.name'")), qPrintable(error));
        QVERIFY(!parse(withArguments({argument(QStringLiteral("a"), QStringLiteral("string")),
                                      argument(QStringLiteral("a"), QStringLiteral("integer"))}),
                       &error));
        QVERIFY2(error.contains(QStringLiteral("defined twice")), qPrintable(error));
        QVERIFY(!parse(withArguments({argument(QStringLiteral("a"), QStringLiteral("float"))}), &error));
        QVERIFY2(error.contains(QStringLiteral("'arguments.0.type' must be one of")), qPrintable(error));
        QVERIFY(
            !parse(withArguments({argument(QStringLiteral("a"), QStringLiteral("integer"), 2.5)}), &error));
        QVERIFY2(error.contains(QStringLiteral("'arguments.0.default' must be a whole number")),
                 qPrintable(error));
        QVERIFY(!parse(
            withArguments({argument(QStringLiteral("a"), QStringLiteral("boolean"), QStringLiteral("yes"))}),
            &error));
        QVERIFY2(error.contains(QStringLiteral("'arguments.0.default' must be true or false")),
                 qPrintable(error));
        QVERIFY(!parse(withArguments({argument(QStringLiteral("a"), QStringLiteral("string"), 5)}), &error));
        QVERIFY2(error.contains(QStringLiteral("'arguments.0.default' must be a string")), qPrintable(error));

        QJsonArray tooMany;
        for (int i = 0; i <= MaxPluginArguments; ++i)
            tooMany.append(argument(QStringLiteral("a%1").arg(i), QStringLiteral("string")));
        QVERIFY(!parse(withArguments(tooMany), &error));
        QVERIFY2(error.contains(QStringLiteral("at most %1 arguments").arg(MaxPluginArguments)),
                 qPrintable(error));
        tooMany.removeLast();
        QVERIFY2(parse(withArguments(tooMany), &error), qPrintable(error));
    }

    void commandArguments()
    {
        QJsonObject json =
            with(validManifest(), QStringLiteral("arguments"),
                 QJsonArray{argument(QStringLiteral("warning"), QStringLiteral("integer"), 5)});
        json.insert(QStringLiteral("command_arguments"),
                    QJsonArray{QStringLiteral("-w"), QStringLiteral("{warning}"), QStringLiteral("-c"),
                               QStringLiteral("{critical}")});
        QString error;
        QVERIFY(!parse(json, &error));
        QVERIFY2(error.contains(QStringLiteral("'command_arguments.3' {critical} names no argument")),
                 qPrintable(error));

        json.insert(QStringLiteral("command_arguments"),
                    QJsonArray{QStringLiteral("-w"), QStringLiteral("{warning}")});
        QVERIFY2(parse(json, &error), qPrintable(error));
        json.insert(QStringLiteral("runtime"), QStringLiteral("nagios"));
        QVERIFY2(parse(json, &error), qPrintable(error));
        json.insert(QStringLiteral("runtime"), QStringLiteral("lua"));
        QVERIFY(!parse(json, &error));
        QVERIFY2(error.contains(QStringLiteral("only exec and nagios")), qPrintable(error));
    }

    void capabilities()
    {
        QString error;
        QJsonObject json =
            with(validManifest(), QStringLiteral("capabilities"),
                 QJsonArray{QStringLiteral("CAP_SYS_RAWIO"), QStringLiteral("CAP_DAC_READ_SEARCH")});
        const std::optional<PluginManifest> manifest = parse(json, &error);
        QVERIFY2(manifest, qPrintable(error));
        QCOMPARE(manifest->capabilities.size(), 2);
        json.insert(QStringLiteral("capabilities"), QJsonArray{QStringLiteral("SYS_RAWIO")});
        QVERIFY(!parse(json, &error));
        json.insert(QStringLiteral("capabilities"), QJsonArray{QStringLiteral("CAP_SYS_RAWIO; rm -rf /")});
        QVERIFY(!parse(json, &error));
    }

    void notJsonOrNotAnObject()
    {
        QString error;
        QVERIFY(!parseManifest("{\"id\": ", &error));
        QVERIFY2(error.startsWith(QStringLiteral("manifest.json is not valid JSON")), qPrintable(error));
        QVERIFY(!parseManifest("[1, 2]", &error));
        QVERIFY2(error.contains(QStringLiteral("must hold a JSON object")), qPrintable(error));
        QVERIFY(!parseManifest(QByteArray(), &error));
    }

    void sizeLimit()
    {
        QJsonObject json = validManifest();
        const QByteArray small = QJsonDocument(json).toJson(QJsonDocument::Compact);
        // Padding with an unknown key makes the document exactly the limit, then one byte over.
        json.insert(QStringLiteral("padding"), QString(MaxManifestBytes - small.size() - 14, u'x'));
        QByteArray atLimit = QJsonDocument(json).toJson(QJsonDocument::Compact);
        atLimit.append(QByteArray(MaxManifestBytes - atLimit.size(), ' '));
        QCOMPARE(atLimit.size(), MaxManifestBytes);
        QString error;
        QVERIFY2(parseManifest(atLimit, &error), qPrintable(error));
        QVERIFY(!parseManifest(atLimit + ' ', &error));
        QVERIFY2(error.contains(QStringLiteral("at most %1").arg(MaxManifestBytes)), qPrintable(error));
    }

    void resolveArgumentsAppliesDefaultsAndTypes()
    {
        PluginManifest manifest;
        manifest.id = QStringLiteral("org.example.test");
        manifest.arguments = {
            {QStringLiteral("path"), ArgumentType::String, QStringLiteral("/"), {}, false},
            {QStringLiteral("count"), ArgumentType::Integer, 3, {}, false},
            {QStringLiteral("ratio"), ArgumentType::Number, {}, {}, false},
            {QStringLiteral("verbose"), ArgumentType::Boolean, false, {}, false},
            {QStringLiteral("device"), ArgumentType::String, {}, {}, true},
        };
        QString error;
        std::optional<QJsonObject> resolved =
            resolveArguments(manifest, {{QStringLiteral("device"), QStringLiteral("/dev/sda")}}, &error);
        QVERIFY2(resolved, qPrintable(error));
        // Defaults fill in; an argument with neither a value nor a default is left out.
        QCOMPARE(*resolved, (QJsonObject{{QStringLiteral("path"), QStringLiteral("/")},
                                         {QStringLiteral("count"), 3},
                                         {QStringLiteral("verbose"), false},
                                         {QStringLiteral("device"), QStringLiteral("/dev/sda")}}));

        resolved = resolveArguments(manifest,
                                    {{QStringLiteral("device"), QStringLiteral("/dev/sdb")},
                                     {QStringLiteral("count"), 7},
                                     {QStringLiteral("ratio"), 7}, // a whole number is a number too
                                     {QStringLiteral("path"), QJsonValue::Null}},
                                    &error);
        QVERIFY2(resolved, qPrintable(error));
        QCOMPARE(resolved->value(QStringLiteral("count")), QJsonValue(7));
        QCOMPARE(resolved->value(QStringLiteral("ratio")), QJsonValue(7));
        QCOMPARE(resolved->value(QStringLiteral("path")),
                 QJsonValue(QStringLiteral("/"))); // null means the default

        QVERIFY(!resolveArguments(manifest, {}, &error));
        QVERIFY2(error.contains(QStringLiteral("argument 'device' is required")), qPrintable(error));

        QVERIFY(!resolveArguments(
            manifest, {{QStringLiteral("device"), QStringLiteral("x")}, {QStringLiteral("colour"), 1}},
            &error));
        QVERIFY2(error.contains(QStringLiteral("has no argument 'colour'")), qPrintable(error));
    }

    void resolveArgumentsRefusesWrongTypes_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QJsonValue>("value");
        QTest::addColumn<QString>("expected");
        QTest::newRow("integer with fraction") << "count" << QJsonValue(2.5) << "must be a whole number";
        QTest::newRow("integer as text") << "count" << QJsonValue("3") << "must be a whole number";
        QTest::newRow("integer beyond 2^53") << "count" << QJsonValue(1e300) << "must be a whole number";
        QTest::newRow("number as text") << "ratio" << QJsonValue("0.5") << "must be a number";
        QTest::newRow("number as bool") << "ratio" << QJsonValue(true) << "must be a number";
        QTest::newRow("string as number") << "path" << QJsonValue(5) << "must be a string";
        QTest::newRow("boolean as text") << "verbose" << QJsonValue("true") << "must be true or false";
        QTest::newRow("boolean as number") << "verbose" << QJsonValue(1) << "must be true or false";
        QTest::newRow("string as object") << "path" << QJsonValue(QJsonObject{}) << "must be a string";
    }
    void resolveArgumentsRefusesWrongTypes()
    {
        QFETCH(QString, name);
        QFETCH(QJsonValue, value);
        QFETCH(QString, expected);
        PluginManifest manifest;
        manifest.arguments = {
            {QStringLiteral("path"), ArgumentType::String, {}, {}, false},
            {QStringLiteral("count"), ArgumentType::Integer, {}, {}, false},
            {QStringLiteral("ratio"), ArgumentType::Number, {}, {}, false},
            {QStringLiteral("verbose"), ArgumentType::Boolean, {}, {}, false},
        };
        QString error;
        QVERIFY(!resolveArguments(manifest, {{name, value}}, &error));
        QVERIFY2(error.contains(QStringLiteral("argument '%1' %2").arg(name, expected)), qPrintable(error));
    }
};

QTEST_GUILESS_MAIN(TestManifest)
#include "tst_manifest.moc"
