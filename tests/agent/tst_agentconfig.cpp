#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

#include "daemon-agent/app/agentconfig.h"

using namespace prophasis;

// agent.json: what the admin may set survives a save and a load, and bad values are refused
// with the key they concern.
class TestAgentConfig : public QObject
{
    Q_OBJECT

    static void writeConfig(const QString &directory, const QJsonObject &json)
    {
        QFile file(directory + QStringLiteral("/agent.json"));
        QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
        file.write(QJsonDocument(json).toJson());
    }

    static QJsonObject readConfig(const QString &directory)
    {
        QFile file(directory + QStringLiteral("/agent.json"));
        return file.open(QIODevice::ReadOnly) ? QJsonDocument::fromJson(file.readAll()).object()
                                              : QJsonObject();
    }

private Q_SLOTS:
    void luaLimitsRoundTrip()
    {
        QTemporaryDir dir;
        AgentConfig config;
        config.directory = dir.path();
        QString error;
        QVERIFY2(config.save(&error), qPrintable(error));
        // Saved with their defaults, so an admin sees what to change.
        QCOMPARE(readConfig(dir.path()).value(QStringLiteral("lua_budget_instructions")).toInteger(),
                 qint64(DefaultLuaBudgetInstructions));
        QCOMPARE(readConfig(dir.path()).value(QStringLiteral("lua_memory_limit_mb")).toInteger(), 32);

        config.luaBudgetInstructions = 2'000'000;
        config.luaMemoryLimitMb = 8;
        QVERIFY2(config.save(&error), qPrintable(error));
        const std::optional<AgentConfig> loaded = AgentConfig::load(dir.path(), &error);
        QVERIFY2(loaded, qPrintable(error));
        QCOMPARE(loaded->luaBudgetInstructions, 2'000'000);
        QCOMPARE(loaded->luaMemoryLimitMb, 8);
    }

    void badLuaLimitsAreRefused_data()
    {
        QTest::addColumn<QString>("key");
        QTest::addColumn<qint64>("value");
        QTest::newRow("budget too small") << QStringLiteral("lua_budget_instructions") << qint64(10);
        QTest::newRow("no memory") << QStringLiteral("lua_memory_limit_mb") << qint64(0);
        QTest::newRow("too much memory") << QStringLiteral("lua_memory_limit_mb") << qint64(1 << 20);
    }

    void badLuaLimitsAreRefused()
    {
        QFETCH(QString, key);
        QFETCH(qint64, value);
        QTemporaryDir dir;
        AgentConfig config;
        config.directory = dir.path();
        QString error;
        QVERIFY2(config.save(&error), qPrintable(error));
        QJsonObject json = readConfig(dir.path());
        json.insert(key, value);
        writeConfig(dir.path(), json);
        QVERIFY(!AgentConfig::load(dir.path(), &error));
        QVERIFY2(error.contains(key), qPrintable(error));
    }
};

QTEST_APPLESS_MAIN(TestAgentConfig)
#include "tst_agentconfig.moc"
