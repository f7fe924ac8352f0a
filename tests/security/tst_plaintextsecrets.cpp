#include <QDirIterator>
#include <QJsonArray>
#include <QRandomGenerator>
#include <QtTest>

#include <sys/stat.h>

#include "shared/enrollment/pairingstrings.h"
#include "tests/support/agentprocess.h"
#include "tests/support/coreprocess.h"
#include "tests/support/liveshop.h"

using namespace prophasis;
using namespace prophasis::test;

namespace {

// A secret a test makes up: random, so a hit can only be the secret itself.
QString randomSecret(const QString &kind)
{
    return kind + QStringLiteral("-") + QString::number(QRandomGenerator::global()->generate64(), 36) +
           QString::number(QRandomGenerator::global()->generate64(), 36);
}

// Every regular file below `folder`, hidden ones too.
QStringList filesBelow(const QString &folder)
{
    QStringList files;
    QDirIterator it(folder, QDir::Files | QDir::Hidden | QDir::System, QDirIterator::Subdirectories);
    while (it.hasNext())
        files.append(it.next());
    return files;
}

} // namespace

// No secret in plain text (issue #10): a full scenario on a real core and a real agent (the live
// shop; a real agent paired through its enrollment string; a webhook and an email alert with
// secrets, each tried once; a join token; an API token, used; a user with a password, logged in),
// then every file of the core's data folder (the SQLite database and its WAL included: hashes may
// be there, plain text may not), the agent's configuration folder and both logs are searched for
// each secret. Private keys: only in their own *.key files, and those are 0600.
class TestPlaintextSecrets : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void noSecretIsKeptInPlainText()
    {
        CoreProcess core;
        QVERIFY2(core.init(), qPrintable(core.log()));
        QVERIFY2(core.start(), qPrintable(core.log()));
        LiveShop shop(core);
        QString error;
        QVERIFY2(shop.setUp(&error), qPrintable(error));
        const QString admin = shop.adminToken();

        QHash<QString, QString> secrets; // what → the plain text
        secrets.insert(QStringLiteral("the admin password"), core.adminPassword());
        secrets.insert(QStringLiteral("the admin's session token"), admin);

        // A real agent, paired with its one-time enrollment token.
        AgentProcess agent{QStringLiteral(PROPHASIS_AGENT_BINARY)};
        QVERIFY2(agent.init(freeLoopbackPort()), qPrintable(agent.log()));
        QVERIFY2(agent.start(), qPrintable(agent.log()));
        const std::optional<EnrollmentString> enrollment =
            EnrollmentString::decode(agent.enrollmentString(), &error);
        QVERIFY2(enrollment, qPrintable(error));
        secrets.insert(QStringLiteral("the enrollment string's token"), enrollment->token);
        HttpsAnswer answer = core.call("POST", "/api/v1/hosts/enroll", admin,
                                       {{QStringLiteral("enrollment"), agent.enrollmentString()},
                                        {QStringLiteral("name"), QStringLiteral("agent1")}});
        QVERIFY2(answer.status == 200 || answer.status == 201, answer.body.constData());

        // Alerts whose modules hold secrets; each tried once, so a delivery error is logged too.
        const QString webhookUrl =
            QStringLiteral("https://127.0.0.1:9/hooks/") + randomSecret(QStringLiteral("url"));
        const QString webhookAuthorization =
            QStringLiteral("Bearer ") + randomSecret(QStringLiteral("bearer"));
        const QString smtpPassword = randomSecret(QStringLiteral("smtp"));
        secrets.insert(QStringLiteral("the webhook's URL"), webhookUrl);
        secrets.insert(QStringLiteral("the webhook's authorization"), webhookAuthorization);
        secrets.insert(QStringLiteral("the SMTP password"), smtpPassword);
        const QJsonObject webhook{{QStringLiteral("name"), QStringLiteral("on call hook")},
                                  {QStringLiteral("module"), QStringLiteral("webhook")},
                                  {QStringLiteral("scope"), QJsonObject{{QStringLiteral("all_hosts"), true}}},
                                  {QStringLiteral("secrets"),
                                   QJsonObject{{QStringLiteral("url"), webhookUrl},
                                               {QStringLiteral("authorization"), webhookAuthorization}}}};
        const QJsonObject email{
            {QStringLiteral("name"), QStringLiteral("on call mail")},
            {QStringLiteral("module"), QStringLiteral("email")},
            {QStringLiteral("scope"), QJsonObject{{QStringLiteral("all_hosts"), true}}},
            {QStringLiteral("options"),
             QJsonObject{{QStringLiteral("server"), QStringLiteral("127.0.0.1")},
                         {QStringLiteral("port"), 9},
                         {QStringLiteral("tls"), QStringLiteral("tls")},
                         {QStringLiteral("username"), QStringLiteral("alerts")},
                         {QStringLiteral("from"), QStringLiteral("monitor@example.com")},
                         {QStringLiteral("to"), QJsonArray{QStringLiteral("ops@example.com")}}}},
            {QStringLiteral("secrets"), QJsonObject{{QStringLiteral("password"), smtpPassword}}}};
        for (const QJsonObject &alert : {webhook, email}) {
            answer = core.call("POST", "/api/v1/alerts", admin, alert);
            QVERIFY2(answer.status == 201, answer.body.constData());
            const QByteArray id = answer.json().value(QStringLiteral("id")).toString().toUtf8();
            answer = core.call("POST", "/api/v1/alerts/" + id + "/test", admin);
            QVERIFY2(answer.status != 0 && answer.status != 404, answer.body.constData());
            qInfo().noquote() << "alert test:" << answer.status << answer.body.left(300);
            for (auto secret = secrets.cbegin(); secret != secrets.cend(); ++secret)
                QVERIFY2(!answer.body.contains(secret.value().toUtf8()),
                         qPrintable(QStringLiteral("the alert test's answer shows ") + secret.key()));
        }

        // A join token for unattended installs.
        answer = core.call("POST", "/api/v1/join-tokens", admin, {{QStringLiteral("max_uses"), 1}});
        QVERIFY2(answer.status == 201, answer.body.constData());
        const std::optional<JoinString> join =
            JoinString::decode(answer.json().value(QStringLiteral("join_string")).toString(), &error);
        QVERIFY2(join, qPrintable(error));
        secrets.insert(QStringLiteral("the join string's token"), join->token);

        // An API token, used once.
        answer = core.call("POST", "/api/v1/tokens", admin, {{QStringLiteral("name"), QStringLiteral("ci")}});
        QVERIFY2(answer.status == 201, answer.body.constData());
        const QString apiToken = answer.json().value(QStringLiteral("secret")).toString();
        QVERIFY(!apiToken.isEmpty());
        secrets.insert(QStringLiteral("the API token's secret"), apiToken);
        QCOMPARE(core.call("GET", "/api/v1/hosts", apiToken).status, 200);

        // A user with a password, logged in once (and once mistyped).
        const QString userPassword = randomSecret(QStringLiteral("password"));
        secrets.insert(QStringLiteral("the user's password"), userPassword);
        answer = core.call("POST", "/api/v1/users", admin,
                           {{QStringLiteral("username"), QStringLiteral("alice")},
                            {QStringLiteral("role"), QStringLiteral("operator")},
                            {QStringLiteral("password"), userPassword}});
        QVERIFY2(answer.status == 201, answer.body.constData());
        const QString session = core.login(QStringLiteral("alice"), userPassword);
        QVERIFY(!session.isEmpty());
        secrets.insert(QStringLiteral("the user's session token"), session);
        QVERIFY(core.login(QStringLiteral("alice"), userPassword + u'x').isEmpty());

        // Stopped, so everything is written; the WAL, if the core leaves one, is searched as well.
        const QString agentLog = agent.log();
        QCOMPARE(agent.stop(), 0);
        const QString coreLog = core.log();
        QCOMPARE(core.stop(), 0);

        QStringList hits;
        bool databaseSearched = false; // what is not secret is there: the search reads what was written
        const QStringList files = filesBelow(core.dataDirectory()) + filesBelow(agent.configDirectory());
        QVERIFY(files.size() >= 6);
        for (const QString &path : files) {
            QFile file(path);
            QVERIFY2(file.open(QIODevice::ReadOnly), qPrintable(path));
            const QByteArray content = file.readAll();
            databaseSearched =
                databaseSearched || (path.contains(QStringLiteral("prophasis.db")) &&
                                     content.contains("on call hook") && content.contains("alice"));
            for (auto secret = secrets.cbegin(); secret != secrets.cend(); ++secret) {
                if (content.contains(secret.value().toUtf8()))
                    hits.append(secret.key() + QStringLiteral(" in ") + path);
            }
        }
        const std::pair<QString, QString> logs[] = {{QStringLiteral("the core's log"), coreLog},
                                                    {QStringLiteral("the agent's log"), agentLog}};
        for (const auto &[name, text] : logs) {
            QVERIFY(!text.isEmpty());
            for (auto secret = secrets.cbegin(); secret != secrets.cend(); ++secret) {
                if (text.contains(secret.value()))
                    hits.append(secret.key() + QStringLiteral(" in ") + name);
            }
        }
        QVERIFY2(databaseSearched, "the database files do not hold what the scenario stored");
        qInfo() << "searched" << files.size() << "files and two logs for" << secrets.size() << "secrets";
        QVERIFY2(hits.isEmpty(), qPrintable(QStringLiteral("secrets in plain text:\n  ") +
                                            hits.join(QStringLiteral("\n  "))));

        // Private keys: in *.key files readable by the owner only, nowhere else.
        QStringList keyProblems;
        int keyFiles = 0;
        for (const QString &path : files) {
            QFile file(path);
            QVERIFY(file.open(QIODevice::ReadOnly));
            const bool holdsPem = file.readAll().contains("PRIVATE KEY-----");
            struct stat status = {};
            QCOMPARE(::stat(QFile::encodeName(path).constData(), &status), 0);
            if (path.endsWith(QStringLiteral(".key"))) {
                ++keyFiles;
                if ((status.st_mode & 0777) != 0600)
                    keyProblems.append(path +
                                       QStringLiteral(" has mode %1").arg(status.st_mode & 0777, 0, 8));
            } else if (holdsPem) {
                keyProblems.append(path + QStringLiteral(" holds a PEM private key"));
            }
        }
        QVERIFY2(keyFiles >= 2, "expected the core's and the agent's key files");
        QVERIFY2(keyProblems.isEmpty(), qPrintable(keyProblems.join(u'\n')));
    }
};

QTEST_GUILESS_MAIN(TestPlaintextSecrets)
#include "tst_plaintextsecrets.moc"
